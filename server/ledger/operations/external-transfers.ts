import { isRegistryAdmin } from '../authority';
import { builtInRulesAt, type BuiltInRules } from '../rules/built-in';
import { receiversToLock } from '../rules/engine';
import { refusal, type Refusal } from '../check-codes';
import { operationsOf, NO_CHANGES, type Changes, type Plan } from '../plan';
import { MAX_SERIAL } from '../serial';
import { remainders } from '../splitting';
import { prepared, type Sql } from '../sql';
import type { AccountFacts, Actor, ExternalArrivalProposal, ExternalTransferProposal, LedgerContext } from '../types';
import { acquiringChecks, transferringChecks } from './account-checks';
import { approachProblems, lockSeriesTop, nomenclatureProblems, quantityProblems, seriesConflicts, seriesIdOf, seriesProblems } from './issue-units';
import { lockAccounts } from './lock-accounts';
import { firstRead, selectionProblems, selectUnits, type BlockRow } from './select-units';
import { moveChanges, takenQuantity } from './transfer-units';

/** The registry's one proxy account (A6R-54), common to all external transfers. */
async function proxyAccountId(sql: Sql): Promise<string | null> {
  // On the transaction's own connection: asking the pool while holding one of its connections would
  // deadlock once every connection is held. The proxy account is then locked like any other.
  const found = await prepared<{ id: string }>(sql, `SELECT id FROM "Account" WHERE type = 'PROXY' AND status <> 'TERMINATED' ORDER BY id LIMIT 1`);
  return found.rows[0]?.id ?? null;
}

/**
 * An outbound external transfer (A6R-54): the units leave for another registry and are placed in the
 * proxy account, whose balance then mirrors what this registry has sent out. The destination travels
 * in the input, and so in the log.
 */
export async function externalTransfer(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: ExternalTransferProposal): Promise<Plan> {
  const proxy = await proxyAccountId(sql);
  if (!proxy) return { createdAt: ctx.now(), refusals: [refusal('NO_PROXY_ACCOUNT')] };
  const problems = selectionProblems(proposal.selection);
  const receivers = receiversToLock(ctx.pool, [proposal.fromAccountId, proxy]);
  const { accounts, chain, then: first } = await lockAccounts<BlockRow>(sql, [proposal.fromAccountId], [proxy, ...receivers], problems.length === 0 ? firstRead(proposal.fromAccountId, proposal.selection) : undefined);
  const createdAt = ctx.now();
  const rules = builtInRulesAt(ctx, createdAt);
  const refusals = [
    ...transferringChecks(rules, actor, proposal.fromAccountId, accounts.get(proposal.fromAccountId)),
    ...acquiringChecks(rules, actor, proxy, accounts.get(proxy), proposal.fromAccountId, (a) => a.type === 'PROXY'),
  ];
  if (refusals.length > 0) return { createdAt, refusals };
  if (problems.length > 0) return { createdAt, refusals: problems };
  const selected = await selectUnits(sql, proposal.fromAccountId, proposal.selection, first);
  if ('refusals' in selected) return { createdAt, refusals: selected.refusals };
  const changes = moveChanges(selected.takes, proposal.fromAccountId, proxy);
  return { createdAt, chain, quantity: takenQuantity(selected.takes), changes, operations: operationsOf(changes), receivers, locked: accounts };
}

/** The account checks of an arrival, by the built-in rules in force. */
function arrivalChecks(rules: BuiltInRules, actor: Actor, proxy: string, accounts: ReadonlyMap<string, AccountFacts>, toAccountId: string): Refusal[] {
  const proxyFacts = accounts.get(proxy);
  return [
    // Arrivals come from another registry through the registry itself: registry administrators (and,
    // later, the authenticated registry-to-registry interface) initiate them, through an operational proxy.
    ...(isRegistryAdmin(actor) ? [] : [refusal('INITIATOR_NOT_ALLOWED_ON_TRANSFERRING_ACCOUNT', { accountId: proxy, userId: actor.userId })]),
    ...(proxyFacts && rules.accountStatus.statusAllows(proxyFacts.status, actor) ? [] : [refusal('TRANSFERRING_ACCOUNT_NOT_OPERATIONAL', { accountId: proxy, status: proxyFacts?.status ?? 'missing' })]),
    ...acquiringChecks(rules, actor, toAccountId, accounts.get(toAccountId), proxy),
  ];
}

/**
 * An arrival from another registry (A6R-54). Units that once left from here are in the proxy account
 * and come back out of it. Units this registry has never held are generated in the proxy account and
 * transferred on, in the same transaction, so that every unit here still has a recorded origin. Units
 * that partly exist here outside the proxy account are refused: a unit is never in two places.
 */
export async function externalArrival(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: ExternalArrivalProposal): Promise<Plan> {
  const proxy = await proxyAccountId(sql);
  if (!proxy) return { createdAt: ctx.now(), refusals: [refusal('NO_PROXY_ACCOUNT')] };
  const { accounts, chain } = await lockAccounts(sql, [proxy], [proposal.toAccountId]);
  const createdAt = ctx.now();
  const refused = arrivalChecks(builtInRulesAt(ctx, createdAt), actor, proxy, accounts, proposal.toAccountId);
  if (refused.length > 0) return { createdAt, refusals: refused };
  const seriesChecks = [...seriesProblems(proposal.series), ...quantityProblems(proposal.lastSerial - proposal.firstSerial + 1n), ...(await approachProblems(sql, proposal.series))];
  if (proposal.firstSerial < 1n) seriesChecks.push(refusal('QUANTITY_NOT_POSITIVE', { firstSerial: proposal.firstSerial.toString() }));
  if (proposal.lastSerial > MAX_SERIAL) seriesChecks.push(refusal('QUANTITY_TOO_LARGE', { lastSerial: proposal.lastSerial.toString(), maximum: MAX_SERIAL.toString() }));
  if (seriesChecks.length === 0) seriesChecks.push(...(await nomenclatureProblems(sql, proposal.series)));
  if (seriesChecks.length > 0) return { createdAt, refusals: seriesChecks };

  const seriesId = seriesIdOf(proposal.series);
  const quantity = proposal.lastSerial - proposal.firstSerial + 1n;
  await lockSeriesTop(sql, seriesId);
  // Read again under the series lock, as issuance does: arrivals of a series are timestamped in order.
  const arrivedAt = ctx.now();
  // The checks were made by the built-in rules in force at createdAt; the entry is of arrivedAt.
  if (builtInRulesAt(ctx, arrivedAt) !== builtInRulesAt(ctx, createdAt)) {
    const again = arrivalChecks(builtInRulesAt(ctx, arrivedAt), actor, proxy, accounts, proposal.toAccountId);
    if (again.length > 0) return { createdAt: arrivedAt, refusals: again };
  }
  const conflicts = await seriesConflicts(sql, seriesId, proposal.series);
  if (conflicts.length > 0) return { createdAt: arrivedAt, refusals: conflicts };
  const overlapping = await prepared<{ id: bigint; seriesId: string; firstSerial: bigint; lastSerial: bigint; accountId: string }>(sql, 
    `SELECT id, "seriesId", "firstSerial", "lastSerial", "accountId" FROM "UnitBlock"
     WHERE "seriesId" = $1 AND "closedByTxId" IS NULL AND "firstSerial" <= $3 AND "lastSerial" >= $2`,
    [seriesId, proposal.firstSerial.toString(), proposal.lastSerial.toString()],
  );
  if (overlapping.rows.length === 0) {
    // Never seen here: generated in the proxy account, then moved on.
    const generated = { seriesId, firstSerial: proposal.firstSerial, lastSerial: proposal.lastSerial, accountId: proxy };
    const changes: Changes = { ...NO_CHANGES, series: [{ ...proposal.series, id: seriesId }], create: [{ ...generated, accountId: proposal.toAccountId }] };
    // The series first, so that the units are generated into a series that exists.
    const [series, ...rest] = operationsOf(changes);
    const operations = [series ?? null, { op: 'generate', ...generated }, { op: 'close', ...generated }, ...rest];
    return { createdAt: arrivedAt, chain, quantity, changes, operations };
  }
  const home = overlapping.rows.find((b) => b.accountId === proxy && b.firstSerial <= proposal.firstSerial && proposal.lastSerial <= b.lastSerial);
  if (!home) return { createdAt: arrivedAt, refusals: [refusal('UNITS_ALREADY_EXIST', { seriesId, firstSerial: proposal.firstSerial.toString(), lastSerial: proposal.lastSerial.toString() })] };
  const take = { block: home, firstSerial: proposal.firstSerial, lastSerial: proposal.lastSerial };
  const changes: Changes = {
    ...NO_CHANGES,
    close: [{ ...home, accountId: proxy }],
    create: [{ seriesId, firstSerial: proposal.firstSerial, lastSerial: proposal.lastSerial, accountId: proposal.toAccountId }, ...remainders(take).map((r) => ({ seriesId, ...r, accountId: proxy }))],
  };
  return { createdAt: arrivedAt, chain, quantity, changes, operations: operationsOf(changes) };
}

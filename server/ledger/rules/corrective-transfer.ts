import type { AccountStatus } from '../../db/generated/enums';
import { isRegistryAdmin } from '../authority';
import { refusal, type Refusal } from '../check-codes';
import { lockAccounts } from '../operations/lock-accounts';
import { firstRead, selectionProblems, selectUnits, type BlockRow } from '../operations/select-units';
import { moveChanges } from '../operations/transfer-units';
import { NO_CHANGES, operationsOf, type Changes, type ClosingBlock, type Plan } from '../plan';
import { prepared, utc, type Sql } from '../sql';
import type { Actor, CorrectiveTransferProposal, LedgerContext, NewAdministrativeRecord } from '../types';
import { builtInRulesAt } from './built-in';
import { authorizationsInForce, type SerialRange, type SeriesFacts } from '../descriptors/coverage';
import { judge, loadRuleContext, readSeriesFacts } from './engine';
import type { RuleAccount } from './types';

const MAX_REASON_LENGTH = 500;

/** A rule a corrective transfer broke, with the code a normal transfer would have been refused with. */
interface BrokenRule {
  readonly rule: string;
  readonly version: number;
  readonly code: number;
  readonly accountId: string;
}

/**
 * Corrective actions (A6R-55), registry administrators only. They move units where no ordinary
 * transfer may (out of end-use accounts, into administrative ones, between accounts that are not
 * active) and may break the business rules: each records the transaction it corrects and every rule
 * an ordinary transfer between the same accounts would have broken, as an administrative record of
 * kind CORRECTION written with it.
 */
export async function correctiveTransfer(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: CorrectiveTransferProposal): Promise<Plan> {
  return proposal.action === 'REVERSE' ? reverse(sql, ctx, actor, proposal) : move(sql, ctx, actor, proposal);
}

const reasonProblems = (reason: string): Refusal[] => (reason.trim() === '' || reason.trim().length > MAX_REASON_LENGTH ? [refusal('CORRECTION_REASON_MISSING')] : []);

interface Corrected {
  readonly kind: string;
  readonly status: string;
  readonly input: string;
}

async function correctedTransaction(sql: Sql, id: string): Promise<Corrected | null> {
  const found = await prepared<Corrected>(sql, 'SELECT kind, status::text AS status, input FROM "LedgerTransaction" WHERE id = $1', [id]);
  return found.rows[0] ?? null;
}

/**
 * Reverses a recorded transfer, a transfer to another registry (the units come back out of the proxy
 * account, where the other registry never accepted them), or a withholding: every unit it took out of
 * its transferring account goes back there, including units rules diverted to other accounts. Refused when any of them has
 * moved on since (4006): a reversal never takes units from someone who did not receive them here.
 */
async function reverse(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: Extract<CorrectiveTransferProposal, { action: 'REVERSE' }>): Promise<Plan> {
  const corrected = await correctedTransaction(sql, proposal.correctsTransactionId);
  const parsed = corrected ? (JSON.parse(corrected.input) as { proposal?: { kind?: string; action?: string; fromAccountId?: string } }).proposal : undefined;
  const reversible = corrected?.status === 'RECORDED' && (parsed?.kind === 'TRANSFER' || parsed?.kind === 'EXTERNAL_TRANSFER' || (parsed?.kind === 'CORRECTIVE_TRANSFER' && parsed.action === 'WITHHOLD'));
  const origin = reversible ? (parsed?.fromAccountId ?? null) : null;
  // The accounts the transaction delivered units to: facts of created records, which never change.
  const delivered = origin === null ? [] : (await prepared<{ accountId: string }>(sql, 'SELECT DISTINCT "accountId" FROM "UnitBlock" WHERE "createdByTxId" = $1 AND "accountId" <> $2 ORDER BY 1', [proposal.correctsTransactionId, origin])).rows.map((r) => r.accountId);
  const { accounts, chain } = await lockAccounts(sql, delivered, origin === null ? [] : [origin]);
  const createdAt = ctx.now();
  const refusals: Refusal[] = [];
  if (!isRegistryAdmin(actor)) refusals.push(refusal('NOT_ALLOWED_TO_CORRECT', { userId: actor.userId }));
  if (origin === null || delivered.length === 0) refusals.push(refusal('CORRECTED_TRANSACTION_INVALID', { transactionId: proposal.correctsTransactionId, action: 'REVERSE', kind: corrected?.kind ?? 'missing', status: corrected?.status ?? 'missing' }));
  refusals.push(...reasonProblems(proposal.reason));
  if (refusals.length > 0 || origin === null) return { createdAt, refusals };
  if (!accounts.has(origin)) return { createdAt, refusals: [refusal('ACQUIRING_ACCOUNT_NOT_FOUND', { accountId: origin })] };

  const blocks = await prepared<ClosingBlock & { closed: boolean }>(
    sql,
    `SELECT id, "seriesId", "firstSerial", "lastSerial", "accountId", "closedByTxId" IS NOT NULL AS closed FROM "UnitBlock"
     WHERE "createdByTxId" = $1 AND "accountId" <> $2 ORDER BY "seriesId", "firstSerial"`,
    [proposal.correctsTransactionId, origin],
  );
  const moved = blocks.rows.filter((b) => b.closed);
  if (moved.length > 0) {
    return { createdAt, refusals: moved.map((b) => refusal('CORRECTED_UNITS_MOVED', { accountId: b.accountId, seriesId: b.seriesId, firstSerial: b.firstSerial.toString(), lastSerial: b.lastSerial.toString() })) };
  }
  const close = blocks.rows.map(({ closed: _closed, ...b }) => b);
  const changes: Changes = {
    ...NO_CHANGES,
    close,
    create: close.map((b) => ({ seriesId: b.seriesId, firstSerial: b.firstSerial, lastSerial: b.lastSerial, accountId: origin })),
  };
  const broken: BrokenRule[] = [];
  for (const accountId of delivered) broken.push(...(await brokenRules(sql, ctx, actor, accountId, origin, createdAt, close.filter((b) => b.accountId === accountId))));
  const quantity = close.reduce((sum, b) => sum + (b.lastSerial - b.firstSerial + 1n), 0n);
  return finish(createdAt, chain, quantity, changes, correctionRecord(proposal.action, proposal.correctsTransactionId, proposal.reason, broken));
}

/** Takes units of a mistaken issuance out of use, or withholds units, by explicit range. */
async function move(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: Extract<CorrectiveTransferProposal, { action: 'CANCEL_ISSUANCE' | 'WITHHOLD' }>): Promise<Plan> {
  const problems = selectionProblems(proposal.selection);
  const { accounts, chain, then: first } = await lockAccounts<BlockRow>(sql, [proposal.fromAccountId], [proposal.toAccountId], problems.length === 0 ? firstRead(proposal.fromAccountId, proposal.selection) : undefined);
  const createdAt = ctx.now();
  const refusals: Refusal[] = [];
  if (!isRegistryAdmin(actor)) refusals.push(refusal('NOT_ALLOWED_TO_CORRECT', { userId: actor.userId }));
  refusals.push(...reasonProblems(proposal.reason));
  const corrected = proposal.correctsTransactionId === null ? null : await correctedTransaction(sql, proposal.correctsTransactionId);
  const wanted = proposal.action === 'CANCEL_ISSUANCE' ? 'ISSUANCE' : null;
  if (proposal.correctsTransactionId !== null ? corrected?.status !== 'RECORDED' || (wanted !== null && corrected.kind !== wanted) : wanted !== null) {
    refusals.push(refusal('CORRECTED_TRANSACTION_INVALID', { transactionId: proposal.correctsTransactionId, action: proposal.action, kind: corrected?.kind ?? 'missing', status: corrected?.status ?? 'missing' }));
  }
  const from = accounts.get(proposal.fromAccountId);
  const to = accounts.get(proposal.toAccountId);
  if (!from) refusals.push(refusal('TRANSFERRING_ACCOUNT_NOT_FOUND', { accountId: proposal.fromAccountId }));
  if (!to) refusals.push(refusal('ACQUIRING_ACCOUNT_NOT_FOUND', { accountId: proposal.toAccountId }));
  const targetType = proposal.action === 'CANCEL_ISSUANCE' ? 'ADMIN_CANCELLATION' : 'ADMIN_HOLDING';
  if (to && to.type !== targetType) refusals.push(refusal('ACQUIRING_ACCOUNT_TYPE_CANNOT_ACQUIRE', { accountId: to.id, type: to.type, required: targetType }));
  if (proposal.fromAccountId === proposal.toAccountId) refusals.push(refusal('ACQUIRING_ACCOUNT_SAME_AS_TRANSFERRING', { accountId: proposal.toAccountId }));
  refusals.push(...problems);
  if (refusals.length > 0) return { createdAt, refusals };

  if (wanted === 'ISSUANCE' && proposal.correctsTransactionId !== null) {
    // Only units that issuance created: its blocks are contiguous serials of one series.
    const issued = await prepared<{ first: bigint | null; last: bigint | null }>(sql, 'SELECT min("firstSerial") AS first, max("lastSerial") AS last FROM "UnitBlock" WHERE "createdByTxId" = $1 AND "seriesId" = $2', [proposal.correctsTransactionId, proposal.selection.seriesId]);
    const range = issued.rows[0];
    if (!range || range.first === null || range.last === null || proposal.selection.firstSerial < range.first || proposal.selection.lastSerial > range.last) {
      return { createdAt, refusals: [refusal('CORRECTED_TRANSACTION_INVALID', { transactionId: proposal.correctsTransactionId, reason: 'the range was not issued by it', firstSerial: proposal.selection.firstSerial.toString(), lastSerial: proposal.selection.lastSerial.toString() })] };
    }
  }
  const selected = await selectUnits(sql, proposal.fromAccountId, proposal.selection, first);
  if ('refusals' in selected) return { createdAt, refusals: selected.refusals };
  const changes = moveChanges(selected.takes, proposal.fromAccountId, proposal.toAccountId);
  const broken = await brokenRules(sql, ctx, actor, proposal.fromAccountId, proposal.toAccountId, createdAt, changes.create.filter((b) => b.accountId === proposal.toAccountId));
  const quantity = proposal.selection.lastSerial - proposal.selection.firstSerial + 1n;
  return finish(createdAt, chain, quantity, changes, correctionRecord(proposal.action, proposal.correctsTransactionId, proposal.reason, broken));
}

/**
 * The rules an ordinary transfer of `moved` from `fromId` to `toId` by this actor at `at` would have
 * broken: the built-in ones (account type, account status) and the pluggable ones that govern the pair.
 */
async function brokenRules(sql: Sql, ctx: LedgerContext, actor: Actor, fromId: string, toId: string, at: Date, moved: readonly SerialRange[]): Promise<BrokenRule[]> {
  const { accounts, records } = await loadRuleContext(sql, [fromId, toId], at);
  const series = await readSeriesFacts(sql, moved.map((b) => b.seriesId));
  const units = moved.map((b) => ({ seriesId: b.seriesId, firstSerial: b.firstSerial, lastSerial: b.lastSerial, series: series.get(b.seriesId) as SeriesFacts }));
  const quantity = moved.reduce((sum, b) => sum + (b.lastSerial - b.firstSerial + 1n), 0n);
  const from = accounts.get(fromId) as RuleAccount & { readonly status: AccountStatus };
  const to = accounts.get(toId) as RuleAccount & { readonly status: AccountStatus };
  const broken: BrokenRule[] = [];
  const rules = builtInRulesAt(ctx, at);
  const builtIn = (rule: 'account-status' | 'account-type', code: number, accountId: string) => broken.push({ rule, version: rules.versions[rule], code, accountId });
  if (!rules.accountStatus.statusAllows(from.status, actor)) builtIn('account-status', 2002, from.id);
  if (!rules.accountType.canTransferFrom(from.type)) builtIn('account-type', 2003, from.id);
  if (!rules.accountStatus.statusAllows(to.status, actor)) builtIn('account-status', 3002, to.id);
  if (!rules.accountType.canAcquire(to.type)) builtIn('account-type', 3003, to.id);
  const judged = judge({ kind: 'TRANSFER', at: utc(at), actor, from, to, quantity, units, authorizations: authorizationsInForce(records, utc(at)) }, records, rules);
  for (const r of judged.refusals) {
    const rule = String(r.judged.rule ?? 'unknown');
    broken.push({ rule, version: judged.ruleVersions[rule] ?? 0, code: r.code, accountId: from.id });
  }
  return broken;
}

function correctionRecord(action: CorrectiveTransferProposal['action'], correctsTransactionId: string | null, reason: string, broken: readonly BrokenRule[]): NewAdministrativeRecord {
  return {
    kind: 'CORRECTION',
    subject: action,
    scopeType: 'TRANSACTION',
    scopeId: correctsTransactionId ?? '',
    body: { reason: reason.trim(), brokenRules: broken.map((b) => ({ ...b })) },
    validFrom: null,
    validUntil: null,
  };
}

function finish(createdAt: Date, chain: Plan extends infer P ? (P extends { chain: infer C } ? C : never) : never, quantity: bigint, moved: Changes, record: NewAdministrativeRecord): Plan {
  const changes: Changes = { ...moved, records: [record] };
  return { createdAt, chain, quantity, changes, operations: operationsOf(changes) };
}

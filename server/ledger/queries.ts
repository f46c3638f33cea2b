import { Prisma } from '../db/generated/client';
import type { Db } from '../db/client';
import { humanBlock } from './serial';
import { scopeCovers, type ReadScope } from './authority';
import { accountRowInScope } from './read-scope';

/**
 * The read side of the ledger: holdings, blocks, history. Every read takes the reader's scope
 * (authority.ts `readScope`, required, never built here) and returns nothing outside it: an account
 * out of scope reads as one that does not exist.
 */
export function visibleAccountsWhere(scope: ReadScope): Prisma.AccountWhereInput {
  if (scope.kind === 'REGISTRY') return {};
  const OR: Prisma.AccountWhereInput[] = [];
  if (scope.sectionIds.length > 0) OR.push({ sectionId: { in: [...scope.sectionIds] } });
  if (scope.accountIds.length > 0) OR.push({ id: { in: [...scope.accountIds] } });
  // A grant limited to cooperative approaches shows only the accounts of those approaches (A6R-46).
  for (const r of scope.limited) OR.push({ ...(r.accountId === null ? { sectionId: r.sectionId } : { id: r.accountId }), cooperativeApproachId: { in: [...r.approachIds] } });
  // No grant that shows an account: a condition no account meets.
  return OR.length === 0 ? { id: { in: [] } } : { OR };
}

/** The condition "account `accountId` is within the scope", for reads of one account's rows. */
function accountVisible(scope: ReadScope, accountId: string): Prisma.Sql {
  if (scope.kind === 'REGISTRY') return Prisma.sql`TRUE`;
  return Prisma.sql`EXISTS (SELECT 1 FROM "Account" a WHERE a.id = ${accountId} AND ${accountRowInScope(scope)})`;
}

export interface AccountSummary {
  readonly id: string;
  readonly name: string;
  readonly registry: string;
  readonly type: string;
  readonly status: string;
  readonly holderName: string;
  readonly sectionId: string | null;
  readonly cooperativeApproachId: string | null;
  readonly balance: bigint;
  readonly blockCount: number;
}

export async function listAccounts(db: Db, scope: ReadScope): Promise<AccountSummary[]> {
  const accounts = await db.account.findMany({ where: visibleAccountsWhere(scope), orderBy: { id: 'asc' } });
  if (accounts.length === 0) return [];
  const totals = await db.$queryRaw<{ accountId: string; balance: bigint; blocks: bigint }[]>`
    SELECT "accountId", sum("lastSerial" - "firstSerial" + 1)::bigint AS balance, count(*)::bigint AS blocks
    FROM "UnitBlock" WHERE "closedByTxId" IS NULL AND "accountId" IN (${Prisma.join(accounts.map((a) => a.id))})
    GROUP BY "accountId"`;
  const byId = new Map(totals.map((t) => [t.accountId, t]));
  return accounts.map((a) => ({
    id: a.id,
    name: a.name,
    registry: a.registry,
    type: a.type,
    status: a.status,
    holderName: a.holderName,
    sectionId: a.sectionId,
    cooperativeApproachId: a.cooperativeApproachId,
    balance: byId.get(a.id)?.balance ?? 0n,
    blockCount: Number(byId.get(a.id)?.blocks ?? 0n),
  }));
}

export async function findVisibleAccount(db: Db, scope: ReadScope, accountId: string) {
  return db.account.findFirst({ where: { AND: [{ id: accountId }, visibleAccountsWhere(scope)] } });
}

/**
 * What a transfer form shows of an acquiring account: number, name, holder, type and registry, which
 * registries publish for every account; its status only to a reader whose scope covers the account
 * (a suspended or frozen account of another Party is that Party's business).
 */
export async function lookupAccount(db: Db, scope: ReadScope, accountId: string) {
  const account = await db.account.findUnique({ where: { id: accountId }, select: { id: true, name: true, holderName: true, type: true, status: true, registry: true, sectionId: true, cooperativeApproachId: true } });
  if (!account) return null;
  const { sectionId, cooperativeApproachId, status, ...published } = account;
  return { ...published, status: scopeCovers(scope, { id: account.id, sectionId, cooperativeApproachId }) ? status : null };
}

export interface BlockView {
  readonly id: bigint;
  readonly seriesId: string;
  readonly serialRange: string;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
  readonly quantity: bigint;
  readonly unitType: string;
  readonly hostParty: string;
  readonly activityId: string;
  readonly vintage: number;
  readonly metric: string;
  readonly createdAt: Date;
}

/** Current blocks of an account within the scope, or its blocks as of a past moment when `asOf` is given. */
export async function accountBlocks(db: Db, scope: ReadScope, accountId: string, asOf?: Date): Promise<BlockView[]> {
  const at = asOf ?? null;
  const rows = await db.$queryRaw<
    { id: bigint; seriesId: string; firstSerial: bigint; lastSerial: bigint; createdAt: Date; unitType: string; cooperativeApproachId: string | null; originatingRegistry: string; hostParty: string; firstTransferringParty: string; activityId: string; vintage: number; metric: string }[]
  >`
    SELECT b.id, b."seriesId", b."firstSerial", b."lastSerial", b."createdAt", s."unitType", s."cooperativeApproachId", s."originatingRegistry",
           s."hostParty", s."firstTransferringParty", s."activityId", s.vintage, s.metric
    FROM "UnitBlock" b JOIN "UnitSeries" s ON s.id = b."seriesId"
    WHERE b."accountId" = ${accountId} AND ${accountVisible(scope, accountId)}
      AND (${at}::timestamptz IS NULL AND b."closedByTxId" IS NULL
           OR ${at}::timestamptz IS NOT NULL AND b."createdAt" <= ${at}::timestamptz AND (b."closedAt" IS NULL OR b."closedAt" > ${at}::timestamptz))
    ORDER BY s.vintage, s."unitType", b."seriesId", b."firstSerial"`;
  return rows.map((r) => ({
    id: r.id,
    seriesId: r.seriesId,
    serialRange: humanBlock(r, r.firstSerial, r.lastSerial),
    firstSerial: r.firstSerial,
    lastSerial: r.lastSerial,
    quantity: r.lastSerial - r.firstSerial + 1n,
    unitType: r.unitType,
    hostParty: r.hostParty,
    activityId: r.activityId,
    vintage: r.vintage,
    metric: r.metric,
    createdAt: r.createdAt,
  }));
}

export interface HistoryEntry {
  readonly transactionId: string;
  readonly kind: string;
  readonly createdAt: Date;
  /** Net change of the account's balance: positive when units arrived. */
  readonly delta: bigint;
  readonly counterpartAccountId: string | null;
}

/** The latest transactions that moved units of an account within the scope, newest first. */
export async function accountHistory(db: Db, scope: ReadScope, accountId: string, limit = 50): Promise<HistoryEntry[]> {
  const rows = await db.$queryRaw<{ id: string; kind: string; createdAt: Date; input: string; incoming: bigint; outgoing: bigint }[]>`
    WITH touched AS (
      SELECT "createdByTxId" AS tx, ("lastSerial" - "firstSerial" + 1) AS incoming, 0::numeric AS outgoing FROM "UnitBlock" WHERE "accountId" = ${accountId}
      UNION ALL
      SELECT "closedByTxId", 0, ("lastSerial" - "firstSerial" + 1) FROM "UnitBlock" WHERE "accountId" = ${accountId} AND "closedByTxId" IS NOT NULL
    )
    SELECT t.id, t.kind, t."createdAt", t.input, sum(touched.incoming)::bigint AS incoming, sum(touched.outgoing)::bigint AS outgoing
    FROM touched JOIN "LedgerTransaction" t ON t.id = touched.tx
    WHERE ${accountVisible(scope, accountId)}
    GROUP BY t.id, t.kind, t."createdAt", t.input
    ORDER BY t."createdAt" DESC, t.id DESC
    LIMIT ${limit}`;
  return rows.map((r) => {
    const proposal = (JSON.parse(r.input) as { proposal: { fromAccountId?: string; toAccountId?: string } }).proposal;
    const counterpart = proposal.fromAccountId === accountId ? (proposal.toAccountId ?? null) : (proposal.fromAccountId ?? null);
    return { transactionId: r.id, kind: r.kind, createdAt: r.createdAt, delta: r.incoming - r.outgoing, counterpartAccountId: counterpart };
  });
}

export interface VintageHolding {
  readonly vintage: number;
  readonly unitType: string;
  readonly quantity: bigint;
}

/** Holdings by vintage and unit type across the given accounts within the scope, for the dashboard chart. */
export async function holdingsByVintage(db: Db, scope: ReadScope, accountIds: readonly string[]): Promise<VintageHolding[]> {
  if (accountIds.length === 0) return [];
  return db.$queryRaw<VintageHolding[]>`
    SELECT s.vintage, s."unitType", sum(b."lastSerial" - b."firstSerial" + 1)::bigint AS quantity
    FROM "UnitBlock" b JOIN "UnitSeries" s ON s.id = b."seriesId" JOIN "Account" a ON a.id = b."accountId"
    WHERE b."closedByTxId" IS NULL AND b."accountId" IN (${Prisma.join([...accountIds])}) AND ${accountRowInScope(scope)}
    GROUP BY s.vintage, s."unitType" ORDER BY s.vintage, s."unitType"`;
}

import type pg from 'pg';
import { replayLog } from './replay';
import { inSnapshot, liveStateAt, stateHash, type Queryable, type RegistryState } from './state';

/**
 * The invariants of DOMAIN.md, checked against the database as it stands: one named check per
 * invariant, each returning the rows that break it with the data that shows it (an empty list when it
 * holds). The checks are set-based SQL, so that they stay fast on hundreds of thousands of blocks; all
 * of them read one snapshot (REPEATABLE READ), so a concurrent writer cannot make them disagree.
 *
 * Units are counted from the log, not from the block table: what a series was given is what the
 * RECORDED issuance (`create`) and arrival (`generate`) operations say, and the blocks must account
 * for exactly that.
 */

export type InvariantName =
  | 'units-have-an-origin'
  | 'blocks-never-overlap'
  | 'units-are-conserved'
  | 'end-use-accounts-only-receive'
  | 'records-never-change'
  | 'replay-equals-live-state'
  | 'rejections-change-nothing';

export type ViolationData = Readonly<Record<string, string | number | boolean | null>>;

export interface InvariantViolation {
  /** The number of the invariant in DOMAIN.md. */
  readonly invariant: number;
  readonly name: InvariantName;
  readonly message: string;
  readonly data: ViolationData;
}

export interface InvariantCheck {
  readonly invariant: number;
  readonly name: InvariantName;
  readonly check: (client: pg.PoolClient, limit: number) => Promise<InvariantViolation[]>;
}

export interface CheckOptions {
  /** Only these checks (default: all). */
  readonly only?: readonly InvariantName[];
  /** At most this many violations per check and kind of problem (default 50): the first few show the bug. */
  readonly limit?: number;
}

/** Runs every invariant check (or those named) in one snapshot; resolves to all violations found. */
export async function checkInvariants(db: Queryable, options: CheckOptions = {}): Promise<InvariantViolation[]> {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`checkInvariants: limit must be a positive integer, got ${limit}`);
  const checks = INVARIANT_CHECKS.filter((c) => !options.only || options.only.includes(c.name));
  if (options.only && checks.length !== options.only.length) throw new Error(`checkInvariants: unknown check in ${options.only.join(', ')}`);
  return inSnapshot(db, async (client) => {
    const found: InvariantViolation[] = [];
    for (const c of checks) found.push(...(await c.check(client, limit)));
    return found;
  });
}

// ---------------------------------------------------------------------------------------------------

/** Turns a row into violation data: bigints and numerics as decimal text, times as ISO-8601. */
function dataOf(row: Record<string, unknown>): ViolationData {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value === null || value === undefined) out[key] = null;
    else if (typeof value === 'bigint') out[key] = value.toString();
    else if (value instanceof Date) out[key] = value.toISOString();
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else out[key] = JSON.stringify(value);
  }
  return out;
}

async function rows(client: pg.PoolClient, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  return (await client.query<Record<string, unknown>>(text, values)).rows;
}

function violations(invariant: number, name: InvariantName, message: (row: Record<string, unknown>) => string, found: Record<string, unknown>[]): InvariantViolation[] {
  return found.map((row) => ({ invariant, name, message: message(row), data: dataOf(row) }));
}

/**
 * The unit ranges the log says were brought into being: the blocks RECORDED issuances created, and the
 * ranges RECORDED arrivals generated in a proxy account (A6R-54). Nothing else creates units.
 */
const GENERATED = `
  generated AS (
    SELECT op->>'seriesId' AS "seriesId", (op->>'firstSerial')::bigint AS first, (op->>'lastSerial')::bigint AS last
    FROM "LogEntry" e
    JOIN "LedgerTransaction" t ON t.id = e."transactionId" AND t.status = 'RECORDED'
    CROSS JOIN LATERAL jsonb_array_elements(e.payload::jsonb -> 'operations') AS op
    LEFT JOIN "Account" a ON a.id = op->>'accountId'
    WHERE e.kind IN ('ISSUANCE', 'EXTERNAL_ARRIVAL') AND e.payload::jsonb ->> 'status' = 'RECORDED'
      AND ((e.kind = 'ISSUANCE' AND op->>'op' = 'create') OR (e.kind = 'EXTERNAL_ARRIVAL' AND op->>'op' = 'generate' AND a.type = 'PROXY')))`;

const OPEN = `open AS (SELECT id, "seriesId", "firstSerial" AS first, "lastSerial" AS last, "accountId" FROM "UnitBlock" WHERE "closedByTxId" IS NULL)`;

/**
 * Invariant 1: every open block lies inside one generated range of its series. Blocks only ever split,
 * so a block never spans two generated ranges. Sorting generated ranges and blocks together by first
 * serial, the furthest a generated range starting at or before a block reaches must cover the block.
 */
async function unitsHaveAnOrigin(client: pg.PoolClient, limit: number): Promise<InvariantViolation[]> {
  const found = await rows(
    client,
    `WITH ${GENERATED}, ${OPEN},
     events AS (
       SELECT "seriesId", first, last, 0 AS kind, NULL::bigint AS id, NULL::text AS "accountId" FROM generated
       UNION ALL
       SELECT "seriesId", first, last, 1, id, "accountId" FROM open),
     reach AS (
       SELECT *, max(last) FILTER (WHERE kind = 0) OVER (PARTITION BY "seriesId" ORDER BY first, kind ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS reach
       FROM events)
     SELECT id AS "blockId", "seriesId", first AS "firstSerial", last AS "lastSerial", "accountId", reach AS "generatedUpTo"
     FROM reach WHERE kind = 1 AND (reach IS NULL OR last > reach)
     ORDER BY id LIMIT $1`,
    [limit],
  );
  return violations(1, 'units-have-an-origin', (r) => `open block ${r.blockId} [${r.firstSerial}, ${r.lastSerial}] of ${r.seriesId} in ${r.accountId} holds units no recorded issuance or arrival generated`, found);
}

/**
 * Invariant 2: the open blocks of a series never share a serial. Sorted by first serial, a block
 * overlaps an earlier one exactly when some earlier block reaches its first serial.
 */
async function blocksNeverOverlap(client: pg.PoolClient, limit: number): Promise<InvariantViolation[]> {
  const found = await rows(
    client,
    `WITH ${OPEN},
     ordered AS (
       SELECT *, max(last) OVER (PARTITION BY "seriesId" ORDER BY first, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach FROM open),
     bad AS (SELECT * FROM ordered WHERE reach >= first ORDER BY id LIMIT $1)
     SELECT bad.id AS "blockId", bad."seriesId", bad.first AS "firstSerial", bad.last AS "lastSerial", bad."accountId",
            other.id AS "otherBlockId", other."firstSerial" AS "otherFirstSerial", other."lastSerial" AS "otherLastSerial", other."accountId" AS "otherAccountId"
     FROM bad
     LEFT JOIN LATERAL (
       SELECT b.id, b."firstSerial", b."lastSerial", b."accountId" FROM "UnitBlock" b
       WHERE b."closedByTxId" IS NULL AND b."seriesId" = bad."seriesId" AND b.id <> bad.id AND b."firstSerial" <= bad.last AND b."lastSerial" >= bad.first
       ORDER BY b."firstSerial", b.id LIMIT 1) other ON true
     ORDER BY bad.id`,
    [limit],
  );
  return violations(2, 'blocks-never-overlap', (r) => `open blocks ${r.otherBlockId} and ${r.blockId} of ${r.seriesId} share serials`, found);
}

/** Invariant 3: per series, the units generated equal the units held in open blocks. */
async function unitsAreConserved(client: pg.PoolClient, limit: number): Promise<InvariantViolation[]> {
  const found = await rows(
    client,
    `WITH ${GENERATED},
     issued AS (SELECT "seriesId", sum(last - first + 1) AS n FROM generated GROUP BY "seriesId"),
     held AS (SELECT "seriesId", sum("lastSerial" - "firstSerial" + 1) AS n FROM "UnitBlock" WHERE "closedByTxId" IS NULL GROUP BY "seriesId")
     SELECT coalesce(i."seriesId", h."seriesId") AS "seriesId", coalesce(i.n, 0)::text AS generated, coalesce(h.n, 0)::text AS held
     FROM issued i FULL JOIN held h ON h."seriesId" = i."seriesId"
     WHERE coalesce(i.n, 0) <> coalesce(h.n, 0)
     ORDER BY 1 LIMIT $1`,
    [limit],
  );
  return violations(3, 'units-are-conserved', (r) => `series ${r.seriesId}: ${r.generated} units generated but ${r.held} held`, found);
}

/**
 * Invariant 4: units in end-use accounts never leave, except by a registry administrator's corrective
 * transfer (A6R-55): no block held in such an account may have been closed by anything else.
 */
async function endUseAccountsOnlyReceive(client: pg.PoolClient, limit: number): Promise<InvariantViolation[]> {
  const found = await rows(
    client,
    `SELECT b.id AS "blockId", b."accountId", a.type AS "accountType", b."seriesId", b."firstSerial", b."lastSerial", b."closedByTxId", t.kind AS "closedByKind"
     FROM "UnitBlock" b
     JOIN "Account" a ON a.id = b."accountId"
     LEFT JOIN "LedgerTransaction" t ON t.id = b."closedByTxId"
     WHERE a.type IN ('USE', 'CANCELLATION', 'ADMIN_CANCELLATION') AND b."closedByTxId" IS NOT NULL
       AND t.kind IS DISTINCT FROM 'CORRECTIVE_TRANSFER'
     ORDER BY b.id LIMIT $1`,
    [limit],
  );
  return violations(4, 'end-use-accounts-only-receive', (r) => `block ${r.blockId} left ${r.accountType} account ${r.accountId} (closed by ${r.closedByKind ?? 'an unknown transaction'} ${r.closedByTxId})`, found);
}

/**
 * Invariant 5: created records never change. Shown four ways, each cheap:
 * - the log's hash chains recompute (an edited entry breaks its hash or the next entry's link);
 * - every block was created, and closed, by an existing transaction at that transaction's time, and
 *   never closed before it was created;
 * - the block table says exactly what the (hashed) log's create and close operations say, so an
 *   edited block no longer matches the log;
 * - every account's status is that of its latest status event.
 */
async function recordsNeverChange(client: pg.PoolClient, limit: number): Promise<InvariantViolation[]> {
  const chain = await rows(
    client,
    `SELECT seq, chain, kind, "transactionId", "prevHash", "expectedPrevHash", hash, "recomputedHash" FROM (
       SELECT e.seq, e.chain, e.kind, e."transactionId", e."prevHash", e.hash,
              coalesce(lag(e.hash) OVER (PARTITION BY e.chain ORDER BY e.seq), repeat('0', 64)) AS "expectedPrevHash",
              encode(sha256(convert_to(e."prevHash" || E'\\n' || e.payload, 'UTF8')), 'hex') AS "recomputedHash"
       FROM "LogEntry" e) x
     WHERE "prevHash" <> "expectedPrevHash" OR hash <> "recomputedHash"
     ORDER BY seq LIMIT $1`,
    [limit],
  );
  const lifecycle = await rows(
    client,
    `SELECT b.id AS "blockId", b."accountId", b."createdByTxId", b."createdAt", c."createdAt" AS "creatorCreatedAt",
            b."closedByTxId", b."closedAt", x.status AS "closerStatus", x."createdAt" AS "closerCreatedAt"
     FROM "UnitBlock" b
     LEFT JOIN "LedgerTransaction" c ON c.id = b."createdByTxId"
     LEFT JOIN "LedgerTransaction" x ON x.id = b."closedByTxId"
     WHERE c.id IS NULL OR c."createdAt" <> b."createdAt"
        OR (b."closedByTxId" IS NULL) <> (b."closedAt" IS NULL)
        OR (b."closedByTxId" IS NOT NULL AND (x.id IS NULL OR x.status <> 'RECORDED' OR x."createdAt" <> b."closedAt" OR b."closedAt" < b."createdAt" OR b."closedByTxId" = b."createdByTxId"))
     ORDER BY b.id LIMIT $1`,
    [limit],
  );
  const logged = await rows(
    client,
    `WITH ops AS (
       SELECT e."transactionId" AS tx, op->>'op' AS op, op->>'seriesId' AS "seriesId", (op->>'firstSerial')::bigint AS first, (op->>'lastSerial')::bigint AS last, op->>'accountId' AS "accountId"
       FROM "LogEntry" e CROSS JOIN LATERAL jsonb_array_elements(e.payload::jsonb -> 'operations') AS op
       WHERE e."transactionId" IS NOT NULL AND op->>'op' IN ('create', 'close', 'generate')),
     -- An arrival of new units generates them in the proxy account and closes them there at once: that
     -- passage has no block record, so its close is not expected in the table.
     logged AS (
       SELECT 'create' AS what, tx, "seriesId", first, last, "accountId" FROM ops WHERE op = 'create'
       UNION ALL
       (SELECT 'close', tx, "seriesId", first, last, "accountId" FROM ops WHERE op = 'close'
        EXCEPT ALL
        SELECT 'close', tx, "seriesId", first, last, "accountId" FROM ops WHERE op = 'generate')),
     stored AS (
       SELECT 'create' AS what, "createdByTxId" AS tx, "seriesId", "firstSerial" AS first, "lastSerial" AS last, "accountId" FROM "UnitBlock"
       UNION ALL
       SELECT 'close', "closedByTxId", "seriesId", "firstSerial", "lastSerial", "accountId" FROM "UnitBlock" WHERE "closedByTxId" IS NOT NULL)
     SELECT * FROM (
       SELECT 'only in the log' AS "foundIn", * FROM (SELECT * FROM logged EXCEPT ALL SELECT * FROM stored) a
       UNION ALL
       SELECT 'only in the block table', * FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM logged) b) d
     ORDER BY tx, what, "seriesId", first LIMIT $1`,
    [limit],
  );
  const statuses = await rows(
    client,
    `SELECT a.id AS "accountId", a.status, latest.status AS "latestEventStatus"
     FROM "Account" a
     LEFT JOIN LATERAL (SELECT e.status FROM "AccountEvent" e WHERE e."accountId" = a.id ORDER BY e."createdAt" DESC, e.id DESC LIMIT 1) latest ON true
     WHERE latest.status IS DISTINCT FROM a.status
     ORDER BY a.id LIMIT $1`,
    [limit],
  );
  const name = 'records-never-change';
  return [
    ...violations(5, name, (r) => `log entry ${r.seq} (chain ${r.chain}) does not chain: stored hash ${r.hash}, recomputed ${r.recomputedHash}; previous ${r.prevHash}, expected ${r.expectedPrevHash}`, chain),
    ...violations(5, name, (r) => `block ${r.blockId} in ${r.accountId} disagrees with the transactions that created or closed it`, lifecycle),
    ...violations(5, name, (r) => `${r.what} of [${r.first}, ${r.last}] of ${r.seriesId} in ${r.accountId} by ${r.tx} is ${r.foundIn}`, logged),
    ...violations(5, name, (r) => `account ${r.accountId} is ${r.status} but its latest status event says ${r.latestEventStatus}`, statuses),
  ];
}

/**
 * Invariant 6: replaying the log yields the live state, bit for bit. Both are taken as of the latest
 * log entry, in this snapshot; a log that contradicts itself is a violation too.
 */
async function replayEqualsLiveState(client: pg.PoolClient, limit: number): Promise<InvariantViolation[]> {
  const latest = await rows(client, `SELECT max("createdAt") AS at FROM "LogEntry"`, []);
  const at = latest[0]?.at;
  if (!(at instanceof Date)) return [];
  let replayed: RegistryState;
  try {
    replayed = (await replayLog(client, { at, keepTransactions: false })).state;
  } catch (error) {
    return [{ invariant: 6, name: 'replay-equals-live-state', message: `the log cannot be replayed: ${(error as Error).message}`, data: { at: at.toISOString(), error: (error as Error).message } }];
  }
  const live = await liveStateAt(client, at);
  const liveHash = stateHash(live);
  const replayedHash = stateHash(replayed);
  if (liveHash === replayedHash) return [];
  const differences = stateDifferences(live, replayed, limit);
  const summary = { at: at.toISOString(), liveHash, replayedHash };
  if (differences.length === 0) return [{ invariant: 6, name: 'replay-equals-live-state', message: 'the state hashes differ, though no row differs', data: summary }];
  return differences.map((d) => ({ invariant: 6, name: 'replay-equals-live-state', message: `${d.table}: a row is only in the ${d.side} state`, data: { ...summary, table: d.table, side: d.side, row: d.row } }));
}

/** The rows one state has and the other lacks, table by table. */
function stateDifferences(live: RegistryState, replayed: RegistryState, limit: number): { table: string; side: 'live' | 'replayed'; row: string }[] {
  // Keys sorted: the two sides may build their rows with properties in different orders.
  const text = (row: object) => {
    const record = row as Record<string, unknown>;
    return JSON.stringify(Object.fromEntries(Object.keys(record).sort().map((k) => [k, typeof record[k] === 'bigint' ? String(record[k]) : record[k]])));
  };
  const out: { table: string; side: 'live' | 'replayed'; row: string }[] = [];
  for (const table of ['sections', 'cooperativeApproaches', 'accounts', 'series', 'blocks'] as const) {
    const a = live[table].map(text);
    const b = replayed[table].map(text);
    const inB = new Set(b);
    const inA = new Set(a);
    for (const row of a) if (!inB.has(row) && out.length < limit) out.push({ table, side: 'live', row });
    for (const row of b) if (!inA.has(row) && out.length < limit) out.push({ table, side: 'replayed', row });
  }
  return out;
}

/**
 * Invariant 7: a rejected proposal changes no state and is logged with its reasons. No block is
 * created or closed and no account status set by a REJECTED transaction; each has refusals and a
 * REJECTED log entry.
 */
async function rejectionsChangeNothing(client: pg.PoolClient, limit: number): Promise<InvariantViolation[]> {
  const found = await rows(
    client,
    `SELECT * FROM (
       SELECT 'created block ' || b.id AS problem, t.id AS "transactionId", t.kind, b."accountId" FROM "UnitBlock" b JOIN "LedgerTransaction" t ON t.id = b."createdByTxId" WHERE t.status = 'REJECTED'
       UNION ALL
       SELECT 'closed block ' || b.id, t.id, t.kind, b."accountId" FROM "UnitBlock" b JOIN "LedgerTransaction" t ON t.id = b."closedByTxId" WHERE t.status = 'REJECTED'
       UNION ALL
       SELECT 'set account status ' || e.status, t.id, t.kind, e."accountId" FROM "AccountEvent" e JOIN "LedgerTransaction" t ON t.id = e."transactionId" WHERE t.status = 'REJECTED'
       UNION ALL
       SELECT 'has no refusals', t.id, t.kind, NULL FROM "LedgerTransaction" t WHERE t.status = 'REJECTED' AND t.refusals IN ('[]', '')
       UNION ALL
       SELECT 'has no REJECTED log entry', t.id, t.kind, NULL FROM "LedgerTransaction" t
       WHERE t.status = 'REJECTED' AND NOT EXISTS (SELECT 1 FROM "LogEntry" e WHERE e."transactionId" = t.id AND e.payload::jsonb ->> 'status' = 'REJECTED')) x
     ORDER BY "transactionId", problem LIMIT $1`,
    [limit],
  );
  return violations(7, 'rejections-change-nothing', (r) => `rejected ${r.kind} ${r.transactionId} ${r.problem}`, found);
}

export const INVARIANT_CHECKS: readonly InvariantCheck[] = [
  { invariant: 1, name: 'units-have-an-origin', check: unitsHaveAnOrigin },
  { invariant: 2, name: 'blocks-never-overlap', check: blocksNeverOverlap },
  { invariant: 3, name: 'units-are-conserved', check: unitsAreConserved },
  { invariant: 4, name: 'end-use-accounts-only-receive', check: endUseAccountsOnlyReceive },
  { invariant: 5, name: 'records-never-change', check: recordsNeverChange },
  { invariant: 6, name: 'replay-equals-live-state', check: replayEqualsLiveState },
  { invariant: 7, name: 'rejections-change-nothing', check: rejectionsChangeNothing },
];

/** A readable list of violations, for error messages. */
export function describeViolations(found: readonly InvariantViolation[]): string {
  return found.map((v) => `invariant ${v.invariant} (${v.name}): ${v.message}\n    ${JSON.stringify(v.data)}`).join('\n');
}

import { refusal, type Refusal } from '../check-codes';
import { selectExplicit, selectImplicit, type HeldBlock, type Take } from '../splitting';
import { prepared, type Sql, type Step } from '../sql';
import { MAX_ISSUANCE, MAX_SERIAL } from '../serial';
import type { UnitConstraints, UnitSelection } from '../types';

/** Blocks are read smallest first in pages of this many rows, and only as far as the quantity needs. */
const PAGE_ROWS = 256;
/** The first read, together with the exact-size question, is small: most transfers need a few blocks. */
const FIRST_PAGE_ROWS = 16;

const SIZE = `("lastSerial" - "firstSerial" + 1)`;
const COLUMNS = `id, "seriesId", "firstSerial", "lastSerial"`;
const ORDER = `ORDER BY ${SIZE}, "seriesId", "firstSerial"`;

/** A block as a first read returns it; the explicit read also says whose it is. */
export type BlockRow = HeldBlock & { readonly exact?: boolean; readonly accountId?: string };

/** Refusals a selection earns before any unit is read. */
export function selectionProblems(selection: UnitSelection): Refusal[] {
  if (selection.mode === 'explicit' && (selection.firstSerial < 1n || selection.firstSerial > selection.lastSerial)) {
    return [refusal('QUANTITY_NOT_POSITIVE', { firstSerial: selection.firstSerial.toString(), lastSerial: selection.lastSerial.toString() })];
  }
  if (selection.mode === 'explicit' && selection.lastSerial > MAX_SERIAL) {
    return [refusal('RANGE_NOT_HELD', { firstSerial: selection.firstSerial.toString(), lastSerial: selection.lastSerial.toString() })];
  }
  if (selection.mode === 'implicit' && selection.quantity <= 0n) return [refusal('QUANTITY_NOT_POSITIVE', { quantity: selection.quantity.toString() })];
  if (selection.mode === 'implicit' && selection.quantity > MAX_ISSUANCE) return [refusal('QUANTITY_TOO_LARGE', { quantity: selection.quantity.toString(), maximum: MAX_ISSUANCE.toString() })];
  return [];
}

/**
 * The open blocks of the account that the constraints allow: a condition whose values are bound
 * parameters, `$1` onwards (the account first, then each constraint given), never text in the SQL.
 */
function openBlocksWhere(accountId: string, constraints: UnitConstraints | null): { readonly where: string; readonly values: string[] } {
  const values: string[] = [accountId];
  const bind = (value: string) => `$${values.push(value)}`;
  const where = [`"accountId" = $1`, `"closedByTxId" IS NULL`];
  const c = constraints ?? {};
  const series: string[] = [];
  const text = (column: string, value: string | undefined) => value !== undefined && series.push(`${column} = ${bind(value)}`);
  text('id', c.seriesId);
  text('"unitType"', c.unitType);
  text('"cooperativeApproachId"', c.cooperativeApproachId);
  text('"hostParty"', c.hostParty);
  text('"activityId"', c.activityId);
  // A vintage is a whole year: any other number matches no series (and is refused as such, 4002). Bound
  // as bigint: a whole number beyond the integer column's range matches nothing, as its literal did; as
  // integer it would fail the statement (22003) and throw instead of refusing.
  if (c.vintage !== undefined) series.push(Number.isSafeInteger(c.vintage) ? `vintage = ${bind(String(c.vintage))}::bigint` : 'false');
  if (series.length > 0) where.push(`"seriesId" IN (SELECT id FROM "UnitSeries" WHERE ${series.join(' AND ')})`);
  return { where: where.join(' AND '), values };
}

/**
 * The implicit selection's further pages when no constraint narrows them: `registry_next_blocks`
 * (prisma/functions/registry_next_blocks.sql) reads them in the order of `UnitBlock_open_by_size`,
 * the only index that serves it, with a plan each connection makes once. Its first read is made by
 * registry_lock (prisma/functions/registry_lock.sql), the same query under the locks. Constrained selections, which name series
 * attributes, are planned per call.
 */
const READ_NEXT = `SELECT id, "seriesId", "firstSerial", "lastSerial" FROM registry_next_blocks($1, $2::bigint, $3, $4::bigint, ${PAGE_ROWS})`;

/**
 * An explicit range's block: the open block of the series with the greatest first serial not after the
 * range's, in whichever account. Open blocks of a series never overlap (invariant 1), so if any open
 * block holds the range's first serial it is this one, and whether it is the transferring account's is
 * checked on the row (`selectUnits`). One probe of `UnitBlock_open_by_serial` however large the account
 * or the series, so the plan made once per connection is right for every call; with the account in the
 * WHERE clause the read had other plans (through the account's blocks, or past other accounts' blocks
 * of the series), and was planned at every call to choose among them.
 */
const READ_EXPLICIT = `SELECT ${COLUMNS}, "accountId" FROM "UnitBlock"
      WHERE "seriesId" = $1 AND "closedByTxId" IS NULL AND "firstSerial" <= $2::bigint
      ORDER BY "firstSerial" DESC LIMIT 1`;

const unconstrained = (c: UnitConstraints | null): boolean => c === null || Object.values(c).every((v) => v === undefined);

/**
 * The first read an operation sends with its locks: a statement, or, for an implicit selection without
 * constraints, the read registry_lock makes itself (`inLock`, prisma/functions/registry_lock.sql).
 */
export type FirstRead = Step | { readonly inLock: { readonly accountId: string; readonly quantity: bigint; readonly rows: number } };

/**
 * The first read of a selection, to travel in the same message as the locks (it runs after them, so
 * it sees the account as locked). Explicit: the open block of the series that would hold the range.
 * Implicit: a block of exactly the quantity, and the smallest blocks; most transfers need nothing more.
 */
export function firstRead(accountId: string, selection: UnitSelection): FirstRead {
  if (selection.mode === 'explicit') return { text: READ_EXPLICIT, values: [selection.seriesId, selection.firstSerial.toString()] };
  if (unconstrained(selection.constraints)) return { inLock: { accountId, quantity: selection.quantity, rows: FIRST_PAGE_ROWS } };
  const { where, values } = openBlocksWhere(accountId, selection.constraints);
  const quantity = `$${values.length + 1}::bigint`;
  // Planned for its values at every call (perCall): the best plan depends on which attributes are named.
  return {
    text: `(SELECT true AS exact, ${COLUMNS} FROM "UnitBlock" WHERE ${where} AND ${SIZE} = ${quantity} ${ORDER} LIMIT 1)
    UNION ALL
    (SELECT false AS exact, ${COLUMNS} FROM "UnitBlock" WHERE ${where} ${ORDER} LIMIT ${FIRST_PAGE_ROWS})`,
    values: [...values, selection.quantity.toString()],
    perCall: true,
  };
}

/**
 * Which units of an account a selection takes (A6R-52), given the rows of its first read, made under
 * the account's lock. An implicit selection reads further pages, smallest first, only until the blocks
 * add up: an account of 100,000 fragments is not read whole for a small transfer.
 */
export async function selectUnits(sql: Sql, accountId: string, selection: UnitSelection, first: readonly BlockRow[]): Promise<{ takes: readonly Take[] } | { refusals: Refusal[] }> {
  if (selection.mode === 'explicit') {
    const take = selectExplicit(first.filter((b) => b.accountId === accountId), selection.seriesId, selection.firstSerial, selection.lastSerial);
    if (!take) return { refusals: [refusal('RANGE_NOT_HELD', { accountId, seriesId: selection.seriesId, firstSerial: selection.firstSerial.toString(), lastSerial: selection.lastSerial.toString() })] };
    return { takes: [take] };
  }

  const exact = first.find((r) => r.exact);
  if (exact) return { takes: [{ block: exact, firstSerial: exact.firstSerial, lastSerial: exact.lastSerial }] };

  const prefix: HeldBlock[] = [];
  let sum = 0n;
  let page: readonly HeldBlock[] = first;
  let pageRows = FIRST_PAGE_ROWS;
  const open = openBlocksWhere(accountId, selection.constraints);
  for (;;) {
    for (const block of page) {
      prefix.push(block);
      sum += block.lastSerial - block.firstSerial + 1n;
      if (sum >= selection.quantity) break;
    }
    if (sum >= selection.quantity || page.length < pageRows) break;
    const last = page[page.length - 1] as HeldBlock;
    pageRows = PAGE_ROWS;
    const after = [(last.lastSerial - last.firstSerial + 1n).toString(), last.seriesId, last.firstSerial.toString()] as const;
    const next = unconstrained(selection.constraints)
      ? await prepared<HeldBlock>(sql, READ_NEXT, [accountId, ...after])
      : await sql.query<HeldBlock>(
          `SELECT ${COLUMNS} FROM "UnitBlock" WHERE ${open.where}
           AND (${SIZE}, "seriesId", "firstSerial") > ($${open.values.length + 1}::bigint, $${open.values.length + 2}, $${open.values.length + 3}::bigint)
           ${ORDER} LIMIT ${PAGE_ROWS}`,
          [...open.values, ...after],
        );
    page = next.rows;
  }
  if (prefix.length === 0) return { refusals: [refusal('NO_MATCHING_UNITS', { accountId, constraints: JSON.stringify(selection.constraints) })] };
  // No block equals the quantity (asked above), and the prefix is exactly the smallest-first run the
  // algorithm accumulates, so choosing within it gives the same answer as choosing among all blocks.
  const chosen = selectImplicit(prefix, selection.quantity);
  if (!chosen.ok) return { refusals: [refusal('INSUFFICIENT_UNITS', { accountId, requested: selection.quantity.toString(), available: chosen.available.toString() })] };
  return { takes: chosen.takes };
}

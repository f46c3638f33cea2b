import { refusal, type Refusal } from '../check-codes';
import { selectExplicit, selectImplicit, type HeldBlock, type Take } from '../splitting';
import { prepared, type Sql } from '../sql';
import type { UnitConstraints, UnitSelection } from '../types';

/** Blocks are read smallest first in pages of this many rows, and only as far as the quantity needs. */
const PAGE_ROWS = 256;
/** The first read, together with the exact-size question, is small: most transfers need a few blocks. */
const FIRST_PAGE_ROWS = 16;

const SIZE = `("lastSerial" - "firstSerial" + 1)`;

/**
 * Which units of an account a selection takes (A6R-52), read under the account's lock. An implicit
 * selection first asks the index for a block of exactly the quantity, then reads blocks smallest first
 * only until they add up: an account of 100,000 fragments is not read whole for a small transfer.
 */
export async function selectUnits(sql: Sql, accountId: string, selection: UnitSelection): Promise<{ takes: readonly Take[] } | { refusals: Refusal[] }> {
  if (selection.mode === 'explicit') {
    if (selection.firstSerial < 1n || selection.firstSerial > selection.lastSerial) {
      return { refusals: [refusal('QUANTITY_NOT_POSITIVE', { firstSerial: selection.firstSerial.toString(), lastSerial: selection.lastSerial.toString() })] };
    }
    const found = await prepared<HeldBlock>(sql, 
      `SELECT id, "seriesId", "firstSerial", "lastSerial" FROM "UnitBlock"
       WHERE "seriesId" = $1 AND "closedByTxId" IS NULL AND "firstSerial" <= $2 AND "accountId" = $3
       ORDER BY "firstSerial" DESC LIMIT 1`,
      [selection.seriesId, selection.firstSerial.toString(), accountId],
    );
    const take = selectExplicit(found.rows, selection.seriesId, selection.firstSerial, selection.lastSerial);
    if (!take) return { refusals: [refusal('RANGE_NOT_HELD', { accountId, seriesId: selection.seriesId, firstSerial: selection.firstSerial.toString(), lastSerial: selection.lastSerial.toString() })] };
    return { takes: [take] };
  }

  if (selection.quantity <= 0n) return { refusals: [refusal('QUANTITY_NOT_POSITIVE', { quantity: selection.quantity.toString() })] };
  const series = await matchingSeries(sql, selection.constraints);
  if (series !== null && series.length === 0) return { refusals: [noMatch(accountId, selection.constraints)] };
  // Parameters are numbered as they are added, so the optional filters need no fixed positions.
  const values: unknown[] = [];
  const p = (value: unknown) => `$${values.push(value)}`;
  const where = `"accountId" = ${p(accountId)} AND "closedByTxId" IS NULL${series === null ? '' : ` AND "seriesId" = ANY(${p(series)}::text[])`}`;
  const columns = `id, "seriesId", "firstSerial", "lastSerial"`;
  const order = `ORDER BY ${SIZE}, "seriesId", "firstSerial"`;

  // One round trip asks both questions: is there a block of exactly the quantity, and what are the
  // smallest blocks. Most transfers need nothing more.
  const first = await prepared<HeldBlock & { exact: boolean }>(
    sql,
    `(SELECT true AS exact, ${columns} FROM "UnitBlock" WHERE ${where} AND ${SIZE} = ${p(selection.quantity.toString())}::bigint ${order} LIMIT 1)
     UNION ALL
     (SELECT false AS exact, ${columns} FROM "UnitBlock" WHERE ${where} ${order} LIMIT ${FIRST_PAGE_ROWS})`,
    values,
  );
  const exact = first.rows.find((r) => r.exact);
  if (exact) return { takes: [{ block: exact, firstSerial: exact.firstSerial, lastSerial: exact.lastSerial }] };

  const prefix: HeldBlock[] = [];
  let sum = 0n;
  let page: HeldBlock[] = first.rows;
  let pageRows = FIRST_PAGE_ROWS;
  for (;;) {
    for (const block of page) {
      prefix.push(block);
      sum += block.lastSerial - block.firstSerial + 1n;
      if (sum >= selection.quantity) break;
    }
    if (sum >= selection.quantity || page.length < pageRows) break;
    const last = page[page.length - 1] as HeldBlock;
    pageRows = PAGE_ROWS;
    const more = values.slice(0, series === null ? 1 : 2);
    const q = (value: unknown) => `$${more.push(value)}`;
    const next = await prepared<HeldBlock>(
      sql,
      `SELECT ${columns} FROM "UnitBlock" WHERE ${where}
       AND (${SIZE}, "seriesId", "firstSerial") > (${q((last.lastSerial - last.firstSerial + 1n).toString())}::bigint, ${q(last.seriesId)}, ${q(last.firstSerial.toString())}::bigint)
       ${order} LIMIT ${PAGE_ROWS}`,
      more,
    );
    page = next.rows;
  }
  if (prefix.length === 0) return { refusals: [noMatch(accountId, selection.constraints)] };
  // No block equals the quantity (asked above), and the prefix is exactly the smallest-first run the
  // algorithm accumulates, so choosing within it gives the same answer as choosing among all blocks.
  const chosen = selectImplicit(prefix, selection.quantity);
  if (!chosen.ok) return { refusals: [refusal('INSUFFICIENT_UNITS', { accountId, requested: selection.quantity.toString(), available: chosen.available.toString() })] };
  return { takes: chosen.takes };
}

function noMatch(accountId: string, constraints: UnitConstraints): Refusal {
  return refusal('NO_MATCHING_UNITS', { accountId, constraints: JSON.stringify(constraints) });
}

/** The series that satisfy the constraints, or null when nothing constrains the series. */
async function matchingSeries(sql: Sql, c: UnitConstraints): Promise<string[] | null> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (column: string, value: unknown) => {
    values.push(value);
    conditions.push(`${column} = $${values.length}`);
  };
  if (c.seriesId !== undefined) add('id', c.seriesId);
  if (c.unitType !== undefined) add('"unitType"', c.unitType);
  if (c.cooperativeApproachId !== undefined) add('"cooperativeApproachId"', c.cooperativeApproachId);
  if (c.hostParty !== undefined) add('"hostParty"', c.hostParty);
  if (c.activityId !== undefined) add('"activityId"', c.activityId);
  if (c.vintage !== undefined) add('vintage', c.vintage);
  if (conditions.length === 0) return null;
  const result = await prepared<{ id: string }>(sql, `SELECT id FROM "UnitSeries" WHERE ${conditions.join(' AND ')}`, values);
  return result.rows.map((r) => r.id);
}

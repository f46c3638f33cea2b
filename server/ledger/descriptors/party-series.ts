import { humanBlock, type SerialParts } from '../serial';
import { query, type Queryable } from '../state';

/** A series of a Party's units that exist here, for choosing serial ranges to authorize (A6R-45). */
export interface PartySeries {
  readonly seriesId: string;
  readonly unitType: string;
  readonly activityId: string;
  readonly vintage: number;
  readonly cooperativeApproachId: string | null;
  readonly originatingRegistry: string;
  readonly firstTransferringParty: string;
  /** The lowest and highest serial held in any account (there may be gaps between them). */
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
  readonly units: bigint;
  /** The span in human-readable serials (A6R-40). */
  readonly span: string;
}

/** The series hosted by `party` with units in open blocks, by vintage, unit type and activity. */
export async function partySeries(db: Queryable, party: string): Promise<PartySeries[]> {
  const rows = await query<Omit<PartySeries, 'span'>>(
    db,
    `SELECT s.id AS "seriesId", s."unitType", s."activityId", s.vintage, s."cooperativeApproachId", s."originatingRegistry", s."firstTransferringParty",
            min(b."firstSerial") AS "firstSerial", max(b."lastSerial") AS "lastSerial", sum(b."lastSerial" - b."firstSerial" + 1)::bigint AS units
     FROM "UnitSeries" s JOIN "UnitBlock" b ON b."seriesId" = s.id AND b."closedByTxId" IS NULL
     WHERE s."hostParty" = $1
     GROUP BY s.id ORDER BY s.vintage, s."unitType", s."activityId", s.id`,
    [party],
  );
  return rows.rows.map((r) => ({ ...r, span: humanBlock(r, r.firstSerial, r.lastSerial) }));
}

/** The parts of human-readable serials (A6R-40) of the given series, by id, to print ranges that name them. */
export async function serialPartsOf(db: Queryable, seriesIds: readonly string[]): Promise<Record<string, SerialParts>> {
  if (seriesIds.length === 0) return {};
  const rows = await query<SerialParts & { id: string }>(db, `SELECT id, "cooperativeApproachId", "originatingRegistry", "firstTransferringParty", vintage FROM "UnitSeries" WHERE id = ANY($1::text[])`, [[...new Set(seriesIds)]]);
  return Object.fromEntries(rows.rows.map(({ id, ...parts }) => [id, parts]));
}

import { createHash } from 'node:crypto';
import pg from 'pg';
import type { AccountStatus, AccountType, Registry } from '../db/generated/enums';
import { utc } from './sql';
import type { AdministrativeRecordRow, SeriesAttributes } from './types';

/**
 * The registry's state at one moment, in a canonical form: what a replay of the log rebuilds and what
 * the live tables hold, so that the two can be compared by one hash (invariant 6). Times are ISO-8601
 * UTC text with milliseconds (`Date.toISOString()`), exactly as the log carries them; serials are bigint.
 */
export interface ReferenceRow {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

/** An entry of a common nomenclature (¶24, ¶69), e.g. nomenclature "sector", code "energy". */
export interface NomenclatureRow {
  readonly nomenclature: string;
  readonly code: string;
  readonly label: string;
  readonly createdAt: string;
}

export interface AccountRow {
  readonly id: string;
  readonly registry: Registry;
  readonly name: string;
  readonly type: AccountType;
  readonly holderName: string;
  readonly sectionId: string | null;
  readonly cooperativeApproachId: string | null;
  /** The status as of the moment: that of the latest status event at or before it. */
  readonly status: AccountStatus;
  /** When the account was opened: its first status event. */
  readonly openedAt: string;
}

/** A series as the state holds it: the ledger's attributes, with `extra` as its canonical text. */
export type SeriesRow = Omit<SeriesAttributes, 'extra'> & {
  readonly id: string;
  readonly extra: string;
  readonly createdAt: string;
};

/** A block open at the moment: created at or before it, and not closed by then. */
export interface BlockRow {
  readonly seriesId: string;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
  readonly accountId: string;
  readonly createdByTxId: string;
  readonly createdAt: string;
}

export interface RegistryState {
  readonly sections: readonly ReferenceRow[];
  readonly cooperativeApproaches: readonly ReferenceRow[];
  readonly nomenclatureEntries: readonly NomenclatureRow[];
  readonly accounts: readonly AccountRow[];
  readonly series: readonly SeriesRow[];
  readonly blocks: readonly BlockRow[];
  /** Rule settings, suspensions and corrections created at or before the moment (docs/rules.md). */
  readonly administrativeRecords: readonly AdministrativeRecordRow[];
}

/** Anything that runs a query: a pool, or one connection inside a transaction (one snapshot). */
export type Queryable = pg.Pool | pg.PoolClient;

export function query<R extends pg.QueryResultRow>(db: Queryable, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  // Pool and PoolClient share this call's shape; TypeScript cannot pick an overload on the union.
  return (db as pg.PoolClient).query<R>(text, values);
}

/**
 * Runs `read` on one connection inside a REPEATABLE READ, read-only transaction, so that every
 * statement sees the same snapshot. Given a connection, runs on it as it is: the caller owns the
 * transaction (and may already hold a snapshot shared with other reads).
 */
export async function inSnapshot<T>(db: Queryable, read: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return read(db);
  const client = await db.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await read(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Code-unit order, the same in every locale (a database collation is not). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareBlocks(a: { readonly seriesId: string; readonly firstSerial: bigint }, b: { readonly seriesId: string; readonly firstSerial: bigint }): number {
  if (a.seriesId !== b.seriesId) return a.seriesId < b.seriesId ? -1 : 1;
  return a.firstSerial < b.firstSerial ? -1 : a.firstSerial > b.firstSerial ? 1 : 0;
}

const byId = <T extends { readonly id: string }>(a: T, b: T): number => compareText(a.id, b.id);

export const compareNomenclatureRows = (a: NomenclatureRow, b: NomenclatureRow): number => compareText(a.nomenclature, b.nomenclature) || compareText(a.code, b.code);

const iso = (value: Date): string => value.toISOString();

/**
 * The state as of `at` (default now), read from the live tables in one snapshot: sections, cooperative
 * approaches and nomenclature entries created at or before it; accounts opened at or before it (their
 * first status event), with their status as of it (the latest event at or before it; events of one
 * millisecond in id order); series created at or before it; and the blocks open at it.
 */
export async function liveStateAt(pool: Queryable, at: Date = new Date()): Promise<RegistryState> {
  const asOf = utc(at);
  return inSnapshot(pool, async (client) => {
    const sections = await query<{ id: string; name: string; createdAt: Date }>(client, `SELECT id, name, "createdAt" FROM "Section" WHERE "createdAt" <= $1::timestamp`, [asOf]);
    const approaches = await query<{ id: string; name: string; createdAt: Date }>(client, `SELECT id, name, "createdAt" FROM "CooperativeApproach" WHERE "createdAt" <= $1::timestamp`, [asOf]);
    const nomenclature = await query<{ nomenclature: string; code: string; label: string; createdAt: Date }>(client, `SELECT nomenclature, code, label, "createdAt" FROM "NomenclatureEntry" WHERE "createdAt" <= $1::timestamp`, [asOf]);
    const accounts = await query<Omit<AccountRow, 'openedAt'> & { openedAt: Date }>(
      client,
      `SELECT a.id, a.registry, a.name, a.type, a."holderName", a."sectionId", a."cooperativeApproachId", latest.status, first."openedAt"
       FROM "Account" a
       JOIN LATERAL (SELECT min(e."createdAt") AS "openedAt" FROM "AccountEvent" e WHERE e."accountId" = a.id) first ON first."openedAt" <= $1::timestamp
       JOIN LATERAL (SELECT e.status FROM "AccountEvent" e WHERE e."accountId" = a.id AND e."createdAt" <= $1::timestamp
                     ORDER BY e."createdAt" DESC, e.id DESC LIMIT 1) latest ON true`,
      [asOf],
    );
    const series = await query<Omit<SeriesRow, 'createdAt'> & { createdAt: Date }>(
      client,
      `SELECT id, "unitType", "cooperativeApproachId", "originatingRegistry", "hostParty", "firstTransferringParty", "activityId", vintage,
              sectors, "activityTypes", metric, pre2021, extra, "createdAt"
       FROM "UnitSeries" WHERE "createdAt" <= $1::timestamp`,
      [asOf],
    );
    const records = await query<Omit<AdministrativeRecordRow, 'validFrom' | 'validUntil' | 'createdAt'> & { validFrom: Date | null; validUntil: Date | null; createdAt: Date }>(
      client,
      `SELECT id, kind, subject, "scopeType", "scopeId", body, "validFrom", "validUntil", "transactionId", "createdAt" FROM "AdministrativeRecord" WHERE "createdAt" <= $1::timestamp`,
      [asOf],
    );
    const blocks = await client.query<[string, bigint, bigint, string, string, Date]>({
      text: `SELECT "seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt" FROM "UnitBlock"
             WHERE "createdAt" <= $1::timestamp AND ("closedAt" IS NULL OR "closedAt" > $1::timestamp)`,
      values: [asOf],
      rowMode: 'array',
    });
    return {
      sections: sections.rows.map((r) => ({ id: r.id, name: r.name, createdAt: iso(r.createdAt) })).sort(byId),
      cooperativeApproaches: approaches.rows.map((r) => ({ id: r.id, name: r.name, createdAt: iso(r.createdAt) })).sort(byId),
      nomenclatureEntries: nomenclature.rows.map((r) => ({ nomenclature: r.nomenclature, code: r.code, label: r.label, createdAt: iso(r.createdAt) })).sort(compareNomenclatureRows),
      accounts: accounts.rows.map((r) => ({ ...r, openedAt: iso(r.openedAt) })).sort(byId),
      series: series.rows.map((r) => ({ ...r, sectors: r.sectors ?? [], activityTypes: r.activityTypes ?? [], createdAt: iso(r.createdAt) })).sort(byId),
      blocks: blocks.rows
        .map(([seriesId, firstSerial, lastSerial, accountId, createdByTxId, createdAt]) => ({ seriesId, firstSerial, lastSerial, accountId, createdByTxId, createdAt: iso(createdAt) }))
        .sort(compareBlocks),
      administrativeRecords: records.rows.map((r) => ({ ...r, validFrom: r.validFrom && iso(r.validFrom), validUntil: r.validUntil && iso(r.validUntil), createdAt: iso(r.createdAt) })).sort(byId),
    };
  });
}

/**
 * The canonical encoding, version 2 (version 1 had no administrative records). A header line, then per table a line naming it, its columns in
 * this fixed order and its row count, then one JSON array per row (bigint as a decimal string), rows
 * sorted: by id, nomenclature entries by nomenclature then code, blocks by series then first serial, administrative records by id. Changing it changes every hash: bump the version.
 */
export const STATE_ENCODING = 'registry-state/2';

const TABLES = {
  sections: ['id', 'name', 'createdAt'],
  cooperativeApproaches: ['id', 'name', 'createdAt'],
  nomenclatureEntries: ['nomenclature', 'code', 'label', 'createdAt'],
  accounts: ['id', 'registry', 'name', 'type', 'holderName', 'sectionId', 'cooperativeApproachId', 'status', 'openedAt'],
  series: ['id', 'unitType', 'cooperativeApproachId', 'originatingRegistry', 'hostParty', 'firstTransferringParty', 'activityId', 'vintage', 'sectors', 'activityTypes', 'metric', 'pre2021', 'extra', 'createdAt'],
  blocks: ['seriesId', 'firstSerial', 'lastSerial', 'accountId', 'createdByTxId', 'createdAt'],
  administrativeRecords: ['id', 'kind', 'subject', 'scopeType', 'scopeId', 'body', 'validFrom', 'validUntil', 'transactionId', 'createdAt'],
} as const;

type Encodable = string | number | boolean | null | readonly string[];

/** Each table of the encoding: its name and its rows, sorted, each encoded as a JSON array. */
interface EncodedTable {
  readonly name: keyof typeof TABLES;
  readonly rows: readonly string[];
}

function encodeTable<R>(name: keyof typeof TABLES, rows: readonly R[], compare: (a: R, b: R) => number, cells: (row: R) => Encodable[]): EncodedTable {
  return { name, rows: [...rows].sort(compare).map((row) => JSON.stringify(cells(row))) };
}

function encode(state: RegistryState): EncodedTable[] {
  return [
    encodeTable('sections', state.sections, byId, (r) => [r.id, r.name, r.createdAt]),
    encodeTable('cooperativeApproaches', state.cooperativeApproaches, byId, (r) => [r.id, r.name, r.createdAt]),
    encodeTable('nomenclatureEntries', state.nomenclatureEntries, compareNomenclatureRows, (r) => [r.nomenclature, r.code, r.label, r.createdAt]),
    encodeTable('accounts', state.accounts, byId, (r) => [r.id, r.registry, r.name, r.type, r.holderName, r.sectionId, r.cooperativeApproachId, r.status, r.openedAt]),
    encodeTable('series', state.series, byId, (r) => [
      r.id,
      r.unitType,
      r.cooperativeApproachId,
      r.originatingRegistry,
      r.hostParty,
      r.firstTransferringParty,
      r.activityId,
      r.vintage,
      r.sectors,
      r.activityTypes,
      r.metric,
      r.pre2021,
      r.extra,
      r.createdAt,
    ]),
    encodeTable('blocks', state.blocks, compareBlocks, (r) => [r.seriesId, r.firstSerial.toString(), r.lastSerial.toString(), r.accountId, r.createdByTxId, r.createdAt]),
    encodeTable('administrativeRecords', state.administrativeRecords, byId, (r) => [r.id, r.kind, r.subject, r.scopeType, r.scopeId, r.body, r.validFrom, r.validUntil, r.transactionId, r.createdAt]),
  ];
}

/**
 * The first row where two states differ, as one line (table, then the row of each side in the
 * encoding's column order), or null when they are the same. For reports: a hash says only that they differ.
 */
export function firstDifference(a: RegistryState, b: RegistryState, labels: readonly [string, string] = ['a', 'b']): string | null {
  const left = encode(a);
  const right = encode(b);
  for (let t = 0; t < left.length; t++) {
    const l = left[t] as EncodedTable;
    const r = right[t] as EncodedTable;
    for (let i = 0; i < Math.max(l.rows.length, r.rows.length); i++) {
      if (l.rows[i] !== r.rows[i]) return `${l.name} (${TABLES[l.name].join(',')}) row ${i + 1}: ${labels[0]} ${l.rows[i] ?? '(none)'}, ${labels[1]} ${r.rows[i] ?? '(none)'}`;
    }
  }
  return null;
}

/** SHA-256 (hex) of the canonical encoding of `state`; rows are sorted here, whatever order they came in. */
export function stateHash(state: RegistryState): string {
  const hash = createHash('sha256');
  hash.update(`${STATE_ENCODING}\n`);
  for (const { name, rows } of encode(state)) {
    hash.update(`${name}\t${TABLES[name].join(',')}\t${rows.length}\n`);
    // Rows are hashed in batches: one update per row would cost more than the encoding itself.
    for (let start = 0; start < rows.length; start += 1024) hash.update(`${rows.slice(start, start + 1024).join('\n')}\n`);
  }
  return hash.digest('hex');
}

import type pg from 'pg';
import type { ReplayResult } from '../replay';
import { createLedgerPool } from '../sql';
import { query, type ReferenceRow } from '../state';
import { quoteIdentifier } from '../../db/sql-quote';
import { prepareScratch } from './scratch-database';

/**
 * Writing a replayed state into a scratch database (scratch-database.ts), so that it reads back with
 * the same queries as the live tables (`liveStateAt`). A bulk load with DDL of its own: the foreign
 * keys, secondary indexes and guards of the big tables are set aside for the load and restored in the
 * same transaction. The replay it writes is computed by ../replay.ts, which writes nothing.
 */

/** Rows per INSERT: large enough to amortize the round trip, small enough to keep messages modest. */
const REBUILD_CHUNK_ROWS = 10_000;

export interface RebuildCounts {
  readonly sections: number;
  readonly cooperativeApproaches: number;
  readonly nomenclatureEntries: number;
  readonly transactions: number;
  readonly accounts: number;
  readonly accountEvents: number;
  readonly series: number;
  readonly blocks: number;
  readonly administrativeRecords: number;
}

/**
 * Writes a replayed state into an empty database (created and migrated first when needed), in bulk and
 * in one transaction: sections, approaches, nomenclature entries, the transaction rows, accounts with their status events,
 * series, and every block record created up to the moment, closed as the log closed them. Afterwards
 * `liveStateAt(scratch, at)` reads the replayed state. Never point it at a registry's own database: it
 * refuses one that is not empty.
 */
export async function rebuildInto(scratchUrl: string, replay: ReplayResult, options: { readonly prepared?: boolean } = {}): Promise<RebuildCounts> {
  // `prepared`: the caller already ran prepareScratch (a benchmark times the replay without it).
  if (!options.prepared) await prepareScratch(scratchUrl);
  const pool = createLedgerPool(scratchUrl, 1);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const existing = await query<{ n: number }>(client, `SELECT ((SELECT count(*) FROM "LedgerTransaction") + (SELECT count(*) FROM "Account") + (SELECT count(*) FROM "Section") + (SELECT count(*) FROM "CooperativeApproach") + (SELECT count(*) FROM "NomenclatureEntry"))::int AS n`);
    if ((existing.rows[0]?.n ?? 0) !== 0) throw new Error('rebuildInto: the scratch database is not empty');
    const { state, transactions, accountEvents, history } = replay;
    // A bulk load: the big tables' foreign keys and secondary indexes are set aside and rebuilt at the
    // end, each in one pass, which also checks every row against them (far cheaper than row by row:
    // docs/ledger.md, "Simulation and replay: measured").
    const restore = await setAsideForLoad(client, ['LedgerTransaction', 'UnitBlock', 'AccountEvent']);

    const references = (table: string, rows: readonly ReferenceRow[]) =>
      client.query(`INSERT INTO "${table}" (id, name, "createdAt") SELECT * FROM unnest($1::text[], $2::text[], $3::timestamp[])`, [rows.map((r) => r.id), rows.map((r) => r.name), rows.map((r) => r.createdAt)]);
    await references('Section', state.sections);
    await references('CooperativeApproach', state.cooperativeApproaches);
    const entries = state.nomenclatureEntries;
    await client.query(`INSERT INTO "NomenclatureEntry" (nomenclature, code, label, "createdAt") SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamp[])`, [
      entries.map((e) => e.nomenclature),
      entries.map((e) => e.code),
      entries.map((e) => e.label),
      entries.map((e) => e.createdAt),
    ]);

    // As JSON rather than as text arrays: the inputs are JSON themselves, and PostgreSQL reads them
    // faster from a JSON document than from array literals full of escaped quotes.
    for (const rows of chunks(transactions)) {
      await client.query(
        `INSERT INTO "LedgerTransaction" (id, "idempotencyKey", kind, status, "initiatorId", "impersonatorId", input, "inputHash", "ruleVersions", refusals, "createdAt")
         SELECT t.id, t.key, t.kind, t.status::"TransactionStatus", t.initiator, t.impersonator, t.input, t.hash, t.rules, t.refusals, t.at::timestamp
         FROM json_to_recordset($1::json) AS t(id text, key text, kind text, status text, initiator text, impersonator text, input text, hash text, rules text, refusals text, at text)`,
        [
          JSON.stringify(
            rows.map((t) => ({ id: t.id, key: t.idempotencyKey, kind: t.kind, status: t.status, initiator: t.initiatorId, impersonator: t.impersonatorId, input: t.input, hash: t.inputHash, rules: t.ruleVersions, refusals: t.refusals, at: t.createdAt })),
          ),
        ],
      );
    }

    for (const rows of chunks(state.accounts)) {
      await client.query(
        `INSERT INTO "Account" (id, registry, name, type, status, "holderName", "sectionId", "cooperativeApproachId", "createdAt")
         SELECT id, registry::"Registry", name, type::"AccountType", status::"AccountStatus", holder, section, approach, at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamp[])
              AS a(id, registry, name, type, status, holder, section, approach, at)`,
        [
          rows.map((a) => a.id),
          rows.map((a) => a.registry),
          rows.map((a) => a.name),
          rows.map((a) => a.type),
          rows.map((a) => a.status),
          rows.map((a) => a.holderName),
          rows.map((a) => a.sectionId),
          rows.map((a) => a.cooperativeApproachId),
          rows.map((a) => a.openedAt),
        ],
      );
    }
    for (const rows of chunks(accountEvents)) {
      await client.query(
        `INSERT INTO "AccountEvent" ("accountId", status, "transactionId", "createdAt")
         SELECT account, status::"AccountStatus", tx, at FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamp[]) WITH ORDINALITY AS e(account, status, tx, at, n) ORDER BY n`,
        [rows.map((e) => e.accountId), rows.map((e) => e.status), rows.map((e) => e.transactionId), rows.map((e) => e.createdAt)],
      );
    }
    // Series carry arrays, which unnest would flatten: they travel as JSON, like the write path sends them.
    for (const rows of chunks(state.series)) {
      await client.query(
        `INSERT INTO "UnitSeries" (id, "unitType", "cooperativeApproachId", "originatingRegistry", "hostParty", "firstTransferringParty", "activityId", vintage, sectors, "activityTypes", metric, pre2021, extra, "createdAt")
         SELECT s.id, s."unitType", s."cooperativeApproachId", s."originatingRegistry", s."hostParty", s."firstTransferringParty", s."activityId", s.vintage,
                ARRAY(SELECT jsonb_array_elements_text(s.sectors)), ARRAY(SELECT jsonb_array_elements_text(s."activityTypes")), s.metric, s.pre2021, s.extra, s."createdAt"::timestamp
         FROM jsonb_to_recordset($1::jsonb) AS s(id text, "unitType" text, "cooperativeApproachId" text, "originatingRegistry" text, "hostParty" text, "firstTransferringParty" text,
              "activityId" text, vintage int, sectors jsonb, "activityTypes" jsonb, metric text, pre2021 boolean, extra text, "createdAt" text)`,
        [JSON.stringify(rows)],
      );
    }

    // Block records go in as the log left them, closed ones closed, ids in creation order. The write
    // path's guards (a block is inserted open and closed once, by an UPDATE) are set aside for this one
    // transaction: replay has checked the same rules entry by entry, and inserting then closing every
    // record would cost another pass over the table. Only this database's owner may do so: the one who
    // created it.
    await client.query('ALTER TABLE "UnitBlock" DISABLE TRIGGER USER');
    for (let start = 0; start < history.length; start += REBUILD_CHUNK_ROWS) {
      const rows = history.slice(start, start + REBUILD_CHUNK_ROWS);
      await client.query(
        `INSERT INTO "UnitBlock" (id, "seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt", "closedByTxId", "closedAt")
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::timestamp[], $8::text[], $9::timestamp[])`,
        [
          rows.map((_, i) => start + i + 1),
          rows.map((b) => b.seriesId),
          rows.map((b) => b.firstSerial.toString()),
          rows.map((b) => b.lastSerial.toString()),
          rows.map((b) => b.accountId),
          rows.map((b) => b.createdByTxId),
          rows.map((b) => b.createdAt),
          rows.map((b) => b.closedByTxId),
          rows.map((b) => b.closedAt),
        ],
      );
    }
    await client.query('ALTER TABLE "UnitBlock" ENABLE TRIGGER USER');
    for (const rows of chunks(state.administrativeRecords)) {
      await client.query(
        `INSERT INTO "AdministrativeRecord" (id, kind, subject, "scopeType", "scopeId", body, "validFrom", "validUntil", "transactionId", "createdAt")
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamp[], $8::timestamp[], $9::text[], $10::timestamp[])`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.kind),
          rows.map((r) => r.subject),
          rows.map((r) => r.scopeType),
          rows.map((r) => r.scopeId),
          rows.map((r) => r.body),
          rows.map((r) => r.validFrom),
          rows.map((r) => r.validUntil),
          rows.map((r) => r.transactionId),
          rows.map((r) => r.createdAt),
        ],
      );
    }
    if (history.length > 0) await client.query(`SELECT setval(pg_get_serial_sequence('"UnitBlock"', 'id'), $1::bigint)`, [history.length]);
    await restore();
    await client.query('COMMIT');
    return {
      sections: state.sections.length,
      cooperativeApproaches: state.cooperativeApproaches.length,
      nomenclatureEntries: state.nomenclatureEntries.length,
      transactions: transactions.length,
      accounts: state.accounts.length,
      accountEvents: accountEvents.length,
      series: state.series.length,
      blocks: history.length,
      administrativeRecords: state.administrativeRecords.length,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
    await pool.end();
  }
}

/**
 * Drops the foreign keys and the secondary indexes (not the primary keys, not those behind constraints)
 * of `tables` inside the caller's transaction, and returns what re-creates them exactly as they were:
 * indexes first, then the foreign keys, which PostgreSQL validates against every row as it adds them.
 */
async function setAsideForLoad(client: pg.PoolClient, tables: readonly string[]): Promise<() => Promise<void>> {
  const relations = tables.map((t) => `"${t}"`);
  const keys = await client.query<{ tbl: string; name: string; def: string }>(
    `SELECT c.conrelid::regclass::text AS tbl, c.conname AS name, pg_get_constraintdef(c.oid) AS def
     FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY($1::regclass[]) ORDER BY 1, 2`,
    [relations],
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1`,
    [relations],
  );
  for (const k of keys.rows) await client.query(`ALTER TABLE ${k.tbl} DROP CONSTRAINT ${quoteIdentifier(k.name)}`);
  for (const i of indexes.rows) await client.query(`DROP INDEX ${i.name}`);
  return async () => {
    for (const i of indexes.rows) await client.query(i.def);
    for (const k of keys.rows) await client.query(`ALTER TABLE ${k.tbl} ADD CONSTRAINT ${quoteIdentifier(k.name)} ${k.def}`);
  };
}

function* chunks<T>(rows: readonly T[]): Generator<readonly T[]> {
  for (let start = 0; start < rows.length; start += REBUILD_CHUNK_ROWS) yield rows.slice(start, start + REBUILD_CHUNK_ROWS);
}

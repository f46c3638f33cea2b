import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { LOG_CHAINS } from './log';
import type { Actor, LedgerContext, SeriesAttributes } from './types';
import { execute } from './write-path';
import { RECORD_MOVES } from './write-path/record';

let test: TestDatabase;
let ctx: LedgerContext;
const admin: Actor = { userId: 'admin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'ACT-LOCKS', vintage: 2022, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
const SENDERS = ['SND-0', 'SND-1', 'SND-2', 'SND-3', 'SND-4', 'SND-5'];

async function connect(): Promise<Client> {
  const c = new Client({ connectionString: test.url });
  await c.connect();
  return c;
}

/** Makes auto_explain report the plan of every statement `c` runs, the functions' own included, to the client. */
async function explainToClient(c: Client): Promise<void> {
  await c.query("LOAD 'auto_explain'");
  await c.query('SET auto_explain.log_min_duration = 0');
  await c.query('SET auto_explain.log_nested_statements = on');
  await c.query('SET client_min_messages = log');
}

/** Runs registry_lock in an open transaction of `c`; with a lock timeout, so that a wait shows as an error. */
async function lock(c: Client, ids: string[], exclusive: boolean[]): Promise<void> {
  await c.query('BEGIN');
  await c.query("SET LOCAL lock_timeout = '300ms'");
  await c.query('SELECT registry_lock($1::text[], $2::boolean[], $3::integer)', [ids, exclusive, LOG_CHAINS]);
}

beforeAll(async () => {
  test = await createTestDatabase('ledger_account_locks');
  ctx = test.ledger({ poolSize: 8 });
  const must = async (p: Parameters<typeof execute>[2]) => {
    const outcome = await execute(ctx, admin, p);
    if (outcome.status !== 'RECORDED') throw new Error(`${p.idempotencyKey} refused: ${JSON.stringify(outcome.refusals)}`);
  };
  for (const [id, type] of [['ISS', 'ISSUANCE'], ['HOT', 'HOLDING'], ...SENDERS.map((s) => [s, 'HOLDING'] as const)] as const) {
    await must({ kind: 'OPEN_ACCOUNT', idempotencyKey: `open-${id}`, account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'Test', sectionId: null, cooperativeApproachId: null } });
    await must({ kind: 'SET_ACCOUNT_STATUS', idempotencyKey: `activate-${id}`, accountId: id, status: 'ACTIVE' });
  }
  await must({ kind: 'OPEN_ACCOUNT', idempotencyKey: 'open-IDLE', account: { id: 'IDLE', registry: 'INTERNATIONAL', name: 'IDLE', type: 'HOLDING', holderName: 'Test', sectionId: null, cooperativeApproachId: null } });
  await must({ kind: 'ISSUANCE', idempotencyKey: 'issue', accountId: 'ISS', series, quantity: 6_000n });
  for (const s of SENDERS) await must({ kind: 'TRANSFER', idempotencyKey: `fund-${s}`, fromAccountId: 'ISS', toAccountId: s, selection: { mode: 'implicit', quantity: 1_000n, constraints: {} } });
}, 120_000);

afterAll(async () => {
  await test?.drop();
});

describe('account locks (advisory, transaction-scoped)', () => {
  it('lets receivers share an account and keeps a sender or a status change out while they hold it', async () => {
    const [a, b, c] = [await connect(), await connect(), await connect()];
    try {
      await lock(a, ['HOT'], [false]);
      await lock(b, ['HOT'], [false]); // shared with shared: no wait
      await expect(lock(c, ['HOT'], [true])).rejects.toMatchObject({ code: '55P03' }); // lock_not_available
      await c.query('ROLLBACK');
      await Promise.all([a.query('COMMIT'), b.query('COMMIT')]);
      await lock(c, ['HOT'], [true]); // free again
      await expect(lock(a, ['HOT'], [false])).rejects.toMatchObject({ code: '55P03' });
      await Promise.all([a.query('ROLLBACK'), c.query('ROLLBACK')]);
    } finally {
      await Promise.all([a.end(), b.end(), c.end()]);
    }
  });

  it('reads the accounts after locking them, once each, whatever order or repetition they are given in', async () => {
    const c = await connect();
    try {
      await c.query('BEGIN');
      const { rows } = await c.query<{ locked: { accounts: { id: string; status: string }[] } }>('SELECT registry_lock($1::text[], $2::boolean[], $3::integer) AS locked', [['SND-1', 'HOT', 'SND-1', 'NOPE'], [false, false, true, false], LOG_CHAINS]);
      expect(rows[0]?.locked.accounts.map((x) => [x.id, x.status])).toEqual([
        ['HOT', 'ACTIVE'],
        ['SND-1', 'ACTIVE'],
      ]);
      await c.query('ROLLBACK');
      await c.query('BEGIN');
      await expect(c.query('SELECT registry_lock($1::text[], $2::boolean[], $3::integer)', [['SND-1', 'HOT'], [true], LOG_CHAINS])).rejects.toThrow('2 accounts but 1 lock modes');
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
  });

  it('reads the locked accounts with one plan per connection from its first call, and leaves the plan cache mode as it was', async () => {
    // auto_explain reports the plan of every statement, the function's own included, to the client.
    const c = await connect();
    const plans: string[] = [];
    c.on('notice', (n) => {
      if (n.message?.includes('FROM "Account" a WHERE a.id = ANY(ids)')) plans.push(n.message);
    });
    try {
      await explainToClient(c);
      for (const [i, mode] of ['auto', 'force_custom_plan', 'auto', 'auto', 'auto', 'auto', 'auto'].entries()) {
        await c.query('BEGIN');
        await c.query(`SET LOCAL plan_cache_mode = ${mode}`);
        const locked = (await c.query<{ r: { accounts: { id: string }[] } }>('SELECT registry_lock($1::text[], $2::boolean[], $3::integer) AS r', [['HOT', SENDERS[i % SENDERS.length]], [false, true], LOG_CHAINS])).rows[0]?.r;
        expect(locked?.accounts.map((a) => a.id)).toEqual(['HOT', SENDERS[i % SENDERS.length]]);
        expect((await c.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]?.plan_cache_mode).toBe(mode);
        await c.query('ROLLBACK');
      }
    } finally {
      await c.end();
    }
    // A plan for the values at hand would show them ('{HOT,SND-0}'); the kept plan shows the parameter.
    expect(plans).toHaveLength(7);
    for (const plan of plans) {
      expect(plan).toMatch(/Index Cond: \(id = ANY \(\$\d+\)\)/);
      expect(plan).not.toContain('SND-');
    }
  });

  it('reads open blocks in the order of their index, never through the account\'s whole history and a sort, whatever the statistics', async () => {
    // Statistics from when the table was small, as on a new registry (or a server whose autovacuum has
    // not run yet); then a history of closed blocks in one account.
    const c = await connect();
    const plans: string[] = [];
    c.on('notice', (n) => {
      if (n.message?.includes('AS exact') || n.message?.includes('after_size')) plans.push(n.message);
    });
    try {
      const must = async (p: Parameters<typeof execute>[2]) => expect((await execute(ctx, admin, p)).status).toBe('RECORDED');
      for (const id of ['LONG', 'SINK']) {
        await must({ kind: 'OPEN_ACCOUNT', idempotencyKey: `open-${id}`, account: { id, registry: 'INTERNATIONAL', name: id, type: 'HOLDING', holderName: 'Test', sectionId: null, cooperativeApproachId: null } });
        await must({ kind: 'SET_ACCOUNT_STATUS', idempotencyKey: `activate-${id}`, accountId: id, status: 'ACTIVE' });
      }
      await must({ kind: 'ISSUANCE', idempotencyKey: 'issue-long', accountId: 'ISS', series, quantity: 1_000n });
      await must({ kind: 'TRANSFER', idempotencyKey: 'fund-long', fromAccountId: 'ISS', toAccountId: 'LONG', selection: { mode: 'implicit', quantity: 1_000n, constraints: {} } });
      await c.query('ANALYZE "UnitBlock"');
      for (let i = 0; i < 150; i++) await must({ kind: 'TRANSFER', idempotencyKey: `history-${i}`, fromAccountId: 'LONG', toAccountId: 'SINK', selection: { mode: 'implicit', quantity: 1n, constraints: {} } });
      await explainToClient(c);
      for (const [i, mode] of ['auto', 'force_custom_plan', 'force_generic_plan', 'auto', 'auto', 'auto', 'auto', 'auto'].entries()) {
        await c.query('BEGIN');
        await c.query(`SET LOCAL plan_cache_mode = ${mode}`);
        const { rows } = await c.query<{ locked: { blocks: unknown[] } }>('SELECT registry_lock($1::text[], $2::boolean[], $3::integer, $4, $5::bigint, $6::integer) AS locked', [['LONG'], [true], LOG_CHAINS, 'LONG', String(2 + i), 4]);
        expect(rows[0]?.locked.blocks).toHaveLength(1);
        expect((await c.query<{ enable_sort: string }>('SHOW enable_sort')).rows[0]?.enable_sort).toBe('on');
        await c.query('ROLLBACK');
      }
      // The further pages (select-units.ts), by the function that reads them.
      for (const mode of ['force_custom_plan', 'force_generic_plan']) {
        await c.query(`SET plan_cache_mode = ${mode}`);
        const { rows } = await c.query<{ id: string }>("SELECT id FROM registry_next_blocks('LONG', 0, '', 0, 256)");
        expect(rows).toHaveLength(1);
      }
    } finally {
      await c.end();
    }
    expect(plans).toHaveLength(10);
    for (const plan of plans) {
      expect(plan).toContain('UnitBlock_open_by_size');
      expect(plan).not.toContain('UnitBlock_accountId_idx');
      expect(plan).not.toMatch(/\bSort\b/);
    }
  });

  it('makes the first read of an implicit selection under its locks: the block of exactly the quantity, then the smallest blocks in order', async () => {
    const c = await connect();
    try {
      const read = async (quantity: bigint, rows: number) => {
        await c.query('BEGIN');
        const { rows: result } = await c.query<{ locked: { blocks: [boolean, string, string, string, string][] } }>('SELECT registry_lock($1::text[], $2::boolean[], $3::integer, $4, $5::bigint, $6::integer) AS locked', [['SND-0'], [true], LOG_CHAINS, 'SND-0', quantity.toString(), rows]);
        await c.query('ROLLBACK');
        return result[0]?.locked.blocks ?? [];
      };
      const open = (await c.query<{ id: string; size: string }>(`SELECT id::text, ("lastSerial" - "firstSerial" + 1)::text AS size FROM "UnitBlock" WHERE "accountId" = 'SND-0' AND "closedByTxId" IS NULL ORDER BY 2::bigint, "seriesId", "firstSerial"`)).rows;
      expect(open.length).toBeGreaterThan(0);
      const smallest = open[0] as { id: string; size: string };
      // An exact match comes first, marked, then the smallest blocks; without one, only the smallest.
      expect((await read(BigInt(smallest.size), 16)).map((b) => [b[0], b[1]])).toEqual([[true, smallest.id], ...open.slice(0, 16).map((b) => [false, b.id])]);
      expect((await read(BigInt(smallest.size) + 1_000_000n, 1)).map((b) => [b[0], b[1]])).toEqual([[false, smallest.id]]);
    } finally {
      await c.end();
    }
  });

  it('takes concurrent transfers from many senders into one account without losing or doubling a unit', async () => {
    const outcomes = await Promise.all(
      SENDERS.flatMap((s) => Array.from({ length: 10 }, (_, i) => execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: `hot-${s}-${i}`, fromAccountId: s, toAccountId: 'HOT', selection: { mode: 'implicit', quantity: 7n, constraints: {} } }))),
    );
    expect(outcomes.every((o) => o.status === 'RECORDED')).toBe(true);
    const held = await test.db.$queryRaw<{ accountId: string; n: bigint }[]>`SELECT "accountId", sum("lastSerial" - "firstSerial" + 1)::bigint AS n FROM "UnitBlock" WHERE "closedByTxId" IS NULL GROUP BY "accountId" ORDER BY "accountId"`;
    const involved = held.filter((h) => h.accountId === 'HOT' || SENDERS.includes(h.accountId));
    expect(Object.fromEntries(involved.map((h) => [h.accountId, h.n]))).toEqual({ HOT: 420n, ...Object.fromEntries(SENDERS.map((s) => [s, 930n])) });
    const overlaps = await test.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*)::bigint AS n FROM "UnitBlock" x JOIN "UnitBlock" y ON x."seriesId" = y."seriesId" AND x.id < y.id
      WHERE x."closedByTxId" IS NULL AND y."closedByTxId" IS NULL AND x."firstSerial" <= y."lastSerial" AND y."firstSerial" <= x."lastSerial"`;
    expect(overlaps[0]?.n).toBe(0n);
  });

  it('refuses deleting an account or changing its id, which blocks refer to', async () => {
    const c = await connect();
    try {
      await expect(c.query(`DELETE FROM "Account" WHERE id = 'HOT'`)).rejects.toThrow('Account is never deleted (accounts are terminated): DELETE refused');
      await expect(c.query(`UPDATE "Account" SET id = 'COLD' WHERE id = 'HOT'`)).rejects.toThrow('Account id never changes: UPDATE refused');
      await expect(c.query(`TRUNCATE "Account" CASCADE`)).rejects.toThrow('Account is never deleted (accounts are terminated): TRUNCATE refused');
      expect((await c.query(`SELECT count(*)::int AS n FROM "UnitBlock" WHERE "accountId" = 'HOT' AND "closedByTxId" IS NULL`)).rows[0]?.n).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });
});

describe('the record of a transaction that only moves units: one statement, planned once', () => {
  it('records a transfer with the prepared statement, whose plan is made once per connection and kept', async () => {
    const one = test.ledger({ poolSize: 1 });
    for (let i = 0; i < 8; i++) {
      const outcome = await execute(one, admin, { kind: 'TRANSFER', idempotencyKey: `moves-${i}`, fromAccountId: 'SND-5', toAccountId: 'HOT', selection: { mode: 'implicit', quantity: 3n, constraints: {} } });
      expect(outcome.status).toBe('RECORDED');
    }
    const client = await one.pool.connect();
    try {
      const { rows } = await client.query<{ statement: string; generic: string; custom: string }>('SELECT statement, generic_plans::text AS generic, custom_plans::text AS custom FROM pg_prepared_statements');
      const moves = rows.find((r) => r.statement === RECORD_MOVES);
      // Eight transfers, eight executions of one generic plan; registry_record was not called.
      expect(moves).toMatchObject({ generic: '8', custom: '0' });
      expect(rows.some((r) => r.statement.includes('registry_record('))).toBe(false);
    } finally {
      client.release();
    }
  });

  it('aborts the whole transaction, before its COMMIT, when a block to close is not open or the chain moved on', async () => {
    const c = await connect();
    const head = async () => (await c.query<{ hash: string }>('SELECT hash FROM "LogChainHead" WHERE chain = 0')).rows[0]?.hash as string;
    const open = (await c.query<{ id: string }>(`SELECT id::text FROM "UnitBlock" WHERE "accountId" = 'SND-4' AND "closedByTxId" IS NULL LIMIT 1`)).rows[0]?.id as string;
    const closedBlock = (await c.query<{ id: string }>(`SELECT id::text FROM "UnitBlock" WHERE "closedByTxId" IS NOT NULL LIMIT 1`)).rows[0]?.id as string;
    const attempt = async (close: string, prevHash: string, generation: string | null): Promise<unknown> => {
      await c.query('BEGIN');
      try {
        const now = new Date().toISOString();
        await c.query(RECORD_MOVES, ['T-MOVES', 'k-moves', 'TRANSFER', 'RECORDED', 'admin', null, '{}', 'h', '{}', '[]', now, `{${close}}`, '{}', '{}', '{}', '{}', '0', '{}', prevHash, 'f'.repeat(64), 'sig', generation]);
        return null;
      } catch (error) {
        return error;
      } finally {
        await c.query('ROLLBACK');
      }
    };
    try {
      const before = await head();
      const generation = (await c.query<{ g: string }>('SELECT generation::text AS g FROM "RuleGeneration" WHERE id = 1')).rows[0]?.g as string;
      expect(await attempt('999999999', before, null)).toMatchObject({ message: expect.stringContaining('closed 0 of 1 blocks') });
      // A closed block is refused by its guard before the count is made.
      expect(await attempt(closedBlock, before, null)).toMatchObject({ message: expect.stringContaining('is closed') });
      expect(await attempt(open, '0'.repeat(63) + '1', null)).toMatchObject({ message: expect.stringContaining('does not end at') });
      expect(await attempt(open, before, String(BigInt(generation) + 1n))).toMatchObject({ code: 'RG001', message: expect.stringContaining('rule settings changed') });
      // Every check passes: the statement records (and is rolled back here).
      expect(await attempt(open, before, generation)).toBeNull();
      expect(await head()).toBe(before);
      expect((await c.query(`SELECT 1 FROM "LedgerTransaction" WHERE id = 'T-MOVES'`)).rowCount).toBe(0);
      expect((await c.query(`SELECT 1 FROM "UnitBlock" WHERE id = $1 AND "closedByTxId" IS NULL`, [open])).rowCount).toBe(1);
    } finally {
      await c.end();
    }
  });
});

describe('log chain claims (advisory, transaction-scoped)', () => {
  const claim = async (c: Client): Promise<{ chain: number; head: string }> => {
    const { rows } = await c.query<{ locked: { chain: number; head: string } }>('SELECT registry_lock($1::text[], $2::boolean[], $3::integer) AS locked', [[], [], LOG_CHAINS]);
    return rows[0]?.locked as { chain: number; head: string };
  };

  it('gives concurrent transactions distinct chains without waiting, waits only when every chain is held, and then reads the head its holder committed', async () => {
    const holders = await Promise.all(Array.from({ length: LOG_CHAINS }, () => connect()));
    const late = await connect();
    try {
      const claimed: number[] = [];
      for (const h of holders) {
        await h.query('BEGIN');
        await h.query("SET LOCAL lock_timeout = '300ms'");
        claimed.push((await claim(h)).chain);
      }
      expect(new Set(claimed).size).toBe(LOG_CHAINS);
      // Every chain is held: a 17th writer waits (here: until its lock timeout).
      await late.query('BEGIN');
      await late.query("SET LOCAL lock_timeout = '300ms'");
      await expect(claim(late)).rejects.toMatchObject({ code: '55P03' });
      await late.query('ROLLBACK');
      // It waits for the chain it started from; once its holder has moved that head and committed, the
      // waiter reads the new head, not the one before.
      await late.query('BEGIN');
      const waiting = claim(late);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { rows } = await holders[0]!.query<{ chain: number }>('SELECT chain FROM "LogChainHead" ORDER BY chain');
      expect(rows).toHaveLength(LOG_CHAINS);
      for (const [i, h] of holders.entries()) {
        // Move the head of the chain each holder claimed to a fresh hash, as registry_record does.
        const hash = `${i}`.padStart(64, 'f');
        await h.query('UPDATE "LogChainHead" SET seq = seq + 1000000, hash = $2 WHERE chain = $1', [claimed[i], hash]);
        await h.query('COMMIT');
      }
      const got = await waiting;
      const expected = `${claimed.indexOf(got.chain)}`.padStart(64, 'f');
      expect(got.head).toBe(expected);
      await late.query('ROLLBACK');
    } finally {
      await Promise.all([...holders.map((h) => h.end()), late.end()]);
    }
  });

  it('guards block closings and head moves after the row, so that the legitimate update locks nothing first', async () => {
    // A BEFORE UPDATE row trigger makes PostgreSQL lock (and WAL-log the lock of) every row it updates,
    // whatever the trigger's WHEN clause; the guards refuse the same changes as AFTER triggers
    // (verify.test.ts tries them) without that cost.
    const c = await connect();
    try {
      const { rows } = await c.query<{ name: string; before: boolean }>(
        `SELECT tgname AS name, (tgtype & 2) <> 0 AS before FROM pg_trigger WHERE tgname IN ('UnitBlock_close_only', 'LogChainHead_forward_only') ORDER BY tgname`,
      );
      expect(rows).toEqual([
        { name: 'LogChainHead_forward_only', before: false },
        { name: 'UnitBlock_close_only', before: false },
      ]);
      await expect(c.query(`UPDATE "UnitBlock" SET "lastSerial" = "lastSerial" + 1 WHERE "accountId" = 'HOT' AND "closedByTxId" IS NULL`)).rejects.toThrow(/UnitBlock \d+ can only be closed \(closedByTxId and closedAt both set\): UPDATE refused/);
      await expect(c.query(`UPDATE "LogChainHead" SET seq = seq - 1 WHERE seq > 0`)).rejects.toThrow(/only moves forward/);
    } finally {
      await c.end();
    }
  });
});

describe("registry_record's check for the rules engine", () => {
  // The check comes first: a record that passes it goes on to fail on its (here absent) log entry.
  const recordWith = async (c: Client, rules: { generation: string; receivers: string[] }): Promise<unknown> => {
    await c.query('BEGIN');
    try {
      await c.query('SELECT registry_record($1::jsonb)', [JSON.stringify({ id: 'T-RULES', status: 'RECORDED', kind: 'TRANSFER', createdAt: new Date().toISOString(), references: [], series: [], openAccounts: [], statusChanges: [], close: [], create: [], rules, log: {} })]);
      return null;
    } catch (error) {
      return error;
    } finally {
      await c.query('ROLLBACK');
    }
  };

  it('refuses with RG001 when the rule settings moved on or a receiver of supplementary units is not active, and lets a current record through', async () => {
    const c = await connect();
    try {
      const generation = (await c.query<{ g: string }>('SELECT generation::text AS g FROM "RuleGeneration" WHERE id = 1')).rows[0]?.g as string;
      const stale = String(BigInt(generation) + 1n);
      expect(await recordWith(c, { generation: stale, receivers: [] })).toMatchObject({ code: 'RG001', message: expect.stringContaining('rule settings changed') });
      expect(await recordWith(c, { generation, receivers: ['HOT', 'IDLE'] })).toMatchObject({ code: 'RG001', message: expect.stringContaining('no longer active') });
      expect(await recordWith(c, { generation, receivers: ['NO-SUCH-ACCOUNT'] })).toMatchObject({ code: 'RG001' });
      // Active receivers, current generation: past the check, the record fails where it lacks its entry.
      const passed = await recordWith(c, { generation, receivers: ['HOT', 'SND-0'] });
      expect(passed).toBeInstanceOf(Error);
      expect((passed as { code?: string }).code).not.toBe('RG001');
    } finally {
      await c.end();
    }
  });
});

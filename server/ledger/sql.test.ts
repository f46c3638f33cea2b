import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { beginPipeline, beginWith, booleanArray, commitPipeline, createLedgerPool, inTransaction, statementNameOf, textArray, type Sql, type Step } from './sql';

let test: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  test = await createTestDatabase('ledger_sql');
  // One connection, so that every transaction below reuses the statements the earlier ones prepared.
  pool = createLedgerPool(test.url, 1);
  await pool.query('CREATE TABLE pipeline_probe (id int PRIMARY KEY, note text NOT NULL)');
}, 60_000);

afterAll(async () => {
  await pool.end();
  await test.drop();
});

const rows = async (): Promise<{ id: number; note: string }[]> => (await pool.query<{ id: number; note: string }>('SELECT id, note FROM pipeline_probe ORDER BY id')).rows;
const preparedNames = async (): Promise<string[]> => {
  const client = await pool.connect();
  try {
    return (await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((r) => r.name);
  } finally {
    client.release();
  }
};

describe('commitPipeline: statements and COMMIT in one round trip of the extended protocol', () => {
  it('runs every step in order, returns their results with the ledger types, and commits', async () => {
    const large = 'x'.repeat(200_000);
    const results = await inTransaction(pool, async (sql) => {
      await beginWith(sql, 'SELECT 1');
      return commitPipeline(sql, [
        { text: 'INSERT INTO pipeline_probe (id, note) VALUES ($1::int, $2) RETURNING id', values: ['1', large] },
        { text: "SELECT 9007199254740993::bigint AS big, 'it''s'::text AS quoted" },
        { text: 'SELECT note FROM pipeline_probe WHERE id = $1::int', values: [null] },
      ]);
    });
    expect(results).toHaveLength(3);
    expect(results[0]?.rows).toEqual([{ id: 1 }]);
    expect(results[0]?.rowCount).toBe(1);
    // int8 crosses as bigint, as everywhere in the ledger.
    expect(results[1]?.rows).toEqual([{ big: 9007199254740993n, quoted: "it's" }]);
    expect(results[2]?.rows).toEqual([]);
    expect(await rows()).toEqual([{ id: 1, note: large }]);
  });

  it('prepares a statement with values once per connection and reuses it', async () => {
    const text = 'INSERT INTO pipeline_probe (id, note) VALUES ($1::int, $2)';
    const before = await preparedNames();
    for (const id of [2, 3, 4]) {
      await inTransaction(pool, async (sql) => {
        await beginWith(sql, 'SELECT 1');
        await commitPipeline(sql, [{ text, values: [String(id), `row ${id}`] }]);
      });
    }
    const added = (await preparedNames()).filter((name) => !before.includes(name));
    // The insert, and COMMIT (prepared like any statement with values).
    expect(added.length).toBeLessThanOrEqual(2);
    expect((await rows()).map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it('skips the rest on an error, COMMIT included: nothing of the transaction stays', async () => {
    const failing = inTransaction(pool, async (sql) => {
      await beginWith(sql, "INSERT INTO pipeline_probe (id, note) VALUES (5, 'before the pipeline')");
      await commitPipeline(sql, [
        { text: 'INSERT INTO pipeline_probe (id, note) VALUES ($1::int, $2)', values: ['6', 'in the pipeline'] },
        // A duplicate key: the error aborts the transaction; the step after it and COMMIT never run.
        { text: 'INSERT INTO pipeline_probe (id, note) VALUES ($1::int, $2)', values: ['1', 'duplicate'] },
        { text: 'INSERT INTO pipeline_probe (id, note) VALUES ($1::int, $2)', values: ['7', 'after the error'] },
      ]);
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect((await rows()).map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it('prepares again a statement whose parse an earlier error skipped, and the connection stays usable', async () => {
    const fresh = 'UPDATE pipeline_probe SET note = $2 WHERE id = $1::int';
    await expect(
      inTransaction(pool, async (sql) => {
        await beginWith(sql, 'SELECT 1');
        await commitPipeline(sql, [{ text: 'SELECT 1/0' }, { text: fresh, values: ['2', 'never'] }]);
      }),
    ).rejects.toMatchObject({ code: '22012' });
    await inTransaction(pool, async (sql) => {
      await beginWith(sql, 'SELECT 1');
      await commitPipeline(sql, [{ text: fresh, values: ['2', 'changed'] }]);
    });
    expect((await rows()).find((r) => r.id === 2)?.note).toBe('changed');
  });

  it('reports a step that is not valid SQL as an error, not as a hang', async () => {
    await expect(
      inTransaction(pool, async (sql) => {
        await beginWith(sql, 'SELECT 1');
        await commitPipeline(sql, [{ text: 'SELEC nonsense', values: [] }]);
      }),
    ).rejects.toMatchObject({ code: '42601' });
    expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
  });
});

describe('beginPipeline: BEGIN and statements in one round trip', () => {
  it('opens the transaction, passes arrays as parameters exactly, and leaves the transaction open until it is committed', async () => {
    const awkward = ['plain', 'with "quotes"', 'back\\slash', 'comma, and {braces}', "it's", 'NULL', ''];
    const seen = await inTransaction(pool, async (sql) => {
      const [arrays, inserted] = await beginPipeline(sql, [
        { text: 'SELECT $1::text[] AS texts, $2::boolean[] AS flags', values: [textArray(awkward), booleanArray([true, false, true])] },
        { text: 'INSERT INTO pipeline_probe (id, note) VALUES ($1::int, $2) RETURNING note', values: ['10', 'opened'], perCall: true },
      ]);
      // Still inside the transaction that inserted: it has a transaction id (a new one would not).
      const status = await sql.query<{ open: boolean }>('SELECT txid_current_if_assigned() IS NOT NULL AS open');
      expect(status.rows).toEqual([{ open: true }]);
      await commitPipeline(sql, []);
      return { arrays: arrays?.rows[0], inserted: inserted?.rows };
    });
    expect(seen.arrays).toEqual({ texts: awkward, flags: [true, false, true] });
    expect(seen.inserted).toEqual([{ note: 'opened' }]);
    expect((await rows()).some((r) => r.id === 10)).toBe(true);
  });

  it('reads rows with the ledger type parsers, the same with and without a row description, and reports command tags', async () => {
    const text = "SELECT $1::bigint AS big, '2026-11-22 09:00:00.123'::timestamp AS at, NULL::text AS none, '{\"a\":1}'::jsonb AS doc";
    const runs = await inTransaction(pool, async (sql) => {
      // The first execution on the connection is described; the second is not, and reads its rows by
      // the description kept from the first.
      const first = await beginPipeline(sql, [{ text, values: ['9007199254740993'] }, { text: 'UPDATE pipeline_probe SET note = note WHERE id < 0', values: [] }]);
      const second = await commitPipeline(sql, [{ text, values: ['9007199254740993'] }]);
      return [...first, ...second];
    });
    const row = { big: 9007199254740993n, at: new Date('2026-11-22T09:00:00.123Z'), none: null, doc: { a: 1 } };
    expect(runs.map((r) => r.rows)).toEqual([[row], [], [row]]);
    expect(runs.map((r) => [r.command, r.rowCount])).toEqual([['SELECT', 1], ['UPDATE', 0], ['SELECT', 1]]);
  });

  it('rolls back what the opening pipeline did when the transaction fails later', async () => {
    await expect(
      inTransaction(pool, async (sql) => {
        await beginPipeline(sql, [{ text: 'INSERT INTO pipeline_probe (id, note) VALUES ($1::int, $2)', values: ['11', 'rolled back'] }]);
        await sql.query('SELECT 1/0');
      }),
    ).rejects.toMatchObject({ code: '22012' });
    expect((await rows()).some((r) => r.id === 11)).toBe(false);
  });
});

describe('write-path transactions plan without sequential scans', () => {
  it('keeps a generic plan made while a table was tiny on its index as the table grows, and leaves other reads alone', async () => {
    await pool.query('CREATE TABLE plan_probe (id bigserial PRIMARY KEY, account text NOT NULL, size bigint NOT NULL)');
    await pool.query('CREATE INDEX plan_probe_account ON plan_probe (account, size)');
    await pool.query("INSERT INTO plan_probe (account, size) SELECT 'A' || (i % 4), i FROM generate_series(1, 8) i");
    await pool.query('ANALYZE plan_probe');
    // The shape of the first read of blocks: a named statement, prepared once per connection; forced to
    // its generic plan at once (PostgreSQL would choose it after five calls) while the table is tiny.
    // (One statement per way of opening: each is planned afresh.)
    const reads: Step[] = [0, 1].map((i) => ({ text: `SELECT id, size FROM plan_probe WHERE account = $1 ORDER BY size LIMIT ${16 + i}`, values: ['A1'] }));
    const explain = async (sql: Sql, read: Step): Promise<string> => (await sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${statementNameOf(read.text)}('A1')`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    // Opened by a plain statement (SET LOCAL travels with BEGIN), and by registry_lock, which makes the
    // setting itself for the rest of the transaction.
    const lock: Step = { text: 'SELECT registry_lock($1::text[], $2::boolean[], $3::integer) AS locked', values: ['{}', '{}', '16'], setsPlanner: true };
    for (const [i, read] of reads.entries()) {
      const planned = await inTransaction(pool, async (sql) => {
        await beginPipeline(sql, i === 0 ? [read] : [lock, read]);
        await sql.query('SET LOCAL plan_cache_mode = force_generic_plan');
        const setting = (await sql.query<{ enable_seqscan: string }>('SHOW enable_seqscan')).rows[0]?.enable_seqscan;
        const plan = await explain(sql, read);
        await commitPipeline(sql, []);
        return { setting, plan };
      });
      expect(planned.setting).toBe('off');
      expect(planned.plan).toContain('plan_probe_account');
      expect(planned.plan).not.toContain('Seq Scan');
    }
    // Outside the write path the setting is the server's: a whole-table read plans as usual.
    const client = await pool.connect();
    try {
      expect((await client.query<{ enable_seqscan: string }>('SHOW enable_seqscan')).rows[0]?.enable_seqscan).toBe('on');
      const whole = (await client.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT * FROM plan_probe')).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(whole).toContain('Seq Scan');
    } finally {
      client.release();
    }
  });
});

describe('pipelines describe a named statement once per connection', () => {
  it('runs it later without a Describe and returns the same rows, types and empty results', async () => {
    const read: Step = { text: 'SELECT id, note, 9007199254740993::bigint AS big FROM pipeline_probe WHERE id <= $1::int ORDER BY id', values: ['2'] };
    const none: Step = { text: 'SELECT id FROM pipeline_probe WHERE id = $1::int', values: ['-1'] };
    const client = await pool.connect();
    const connection = (client as unknown as { connection: { describe: (...args: unknown[]) => void } }).connection;
    const original = connection.describe.bind(connection);
    let describes = 0;
    connection.describe = (...args: unknown[]) => {
      describes++;
      original(...args);
    };
    try {
      const runs: pg.QueryResult[][] = [];
      for (let i = 0; i < 3; i++) {
        runs.push(await beginPipeline(client, [read, none, { text: "SET LOCAL work_mem = '8MB'", values: [] }]));
        await client.query('ROLLBACK');
      }
      const first = describes;
      expect(runs.map((r) => r.map((x) => x.rows))).toEqual([0, 1, 2].map(() => [runs[0]?.[0]?.rows, [], []]));
      expect(runs[2]?.[0]?.rows[0]).toMatchObject({ id: 1, big: 9007199254740993n });
      // Only the first run described its three statements; later ones sent none.
      runs.push(await beginPipeline(client, [read, none]));
      await client.query('ROLLBACK');
      expect(describes).toBe(first);
      expect(first).toBe(3);
      expect(runs[3]?.[0]?.rows).toEqual(runs[0]?.[0]?.rows);
    } finally {
      connection.describe = original;
      client.release();
    }
  });
});

describe('array parameters', () => {
  it('carry any strings exactly: textArray is read back by PostgreSQL as the same text[]', async () => {
    const hostile = fc.constantFrom('"', '\\', ',', '{', '}', ' ', 'NULL', "'", '\n', 'a', 'é', '😀');
    const texts = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: hostile })).filter((t) => !t.includes('\u0000')), { maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(texts, fc.array(fc.boolean(), { maxLength: 8 }), async (values, flags) => {
        const { rows } = await pool.query<{ texts: string[]; flags: boolean[] }>('SELECT $1::text[] AS texts, $2::boolean[] AS flags', [textArray(values), booleanArray(flags)]);
        expect(rows).toEqual([{ texts: values, flags }]);
      }),
      { numRuns: 300 },
    );
  });
});

import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { LOG_CHAINS } from './log';
import type { Actor, LedgerContext, SeriesAttributes } from './types';
import { execute } from './write-path';

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

  it('takes concurrent transfers from many senders into one account without losing or doubling a unit', async () => {
    const outcomes = await Promise.all(
      SENDERS.flatMap((s) => Array.from({ length: 10 }, (_, i) => execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: `hot-${s}-${i}`, fromAccountId: s, toAccountId: 'HOT', selection: { mode: 'implicit', quantity: 7n, constraints: {} } }))),
    );
    expect(outcomes.every((o) => o.status === 'RECORDED')).toBe(true);
    const held = await test.db.$queryRaw<{ accountId: string; n: bigint }[]>`SELECT "accountId", sum("lastSerial" - "firstSerial" + 1)::bigint AS n FROM "UnitBlock" WHERE "closedByTxId" IS NULL GROUP BY "accountId" ORDER BY "accountId"`;
    expect(Object.fromEntries(held.map((h) => [h.accountId, h.n]))).toEqual({ HOT: 420n, ...Object.fromEntries(SENDERS.map((s) => [s, 930n])) });
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
      await expect(c.query(`TRUNCATE "Account" CASCADE`)).rejects.toThrow();
      expect((await c.query(`SELECT count(*)::int AS n FROM "UnitBlock" WHERE "accountId" = 'HOT' AND "closedByTxId" IS NULL`)).rows[0]?.n).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });
});

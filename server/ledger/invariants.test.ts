import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { checkInvariants, type InvariantName, type InvariantViolation } from './invariants';
import { seriesIdOf } from './operations/issue-units';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from './types';
import { execute } from './write-path';

let test: TestDatabase;
let ctx: LedgerContext;
let keys = 0;

const admin: Actor = { userId: 'admin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const local: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-1', vintage: 2023, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
const abroad: SeriesAttributes = { ...local, originatingRegistry: 'XR', hostParty: 'KEN', firstTransferringParty: 'KEN', activityId: 'KEN-1' };
const LOCAL = seriesIdOf(local);

type Draft = Proposal extends infer P ? (P extends Proposal ? Omit<P, 'idempotencyKey'> : never) : never;

async function run(proposal: Draft): Promise<Outcome> {
  return execute(ctx, admin, { ...proposal, idempotencyKey: `inv-${keys++}` } as Proposal);
}

async function recorded(proposal: Draft): Promise<string> {
  const outcome = await run(proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED: ${JSON.stringify(outcome.refusals)}`);
  return outcome.transactionId;
}

/**
 * Breaks the ledger the way only a superuser could, inside a transaction that is rolled back
 * afterwards: `session_replication_role = replica` switches off the immutability triggers for this
 * connection. The checks run on that connection, so they see the damage.
 */
async function broken(damage: (client: pg.PoolClient) => Promise<void>, only: InvariantName): Promise<InvariantViolation[]> {
  const client = await ctx.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    await damage(client);
    await client.query('SET LOCAL session_replication_role = origin');
    return await checkInvariants(client, { only: [only] });
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

async function one<T extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T> {
  const result = await ctx.pool.query<T>(sql, values);
  const row = result.rows[0];
  if (!row) throw new Error(`no row for ${sql}`);
  return row;
}

let rejectedTxId = '';

beforeAll(async () => {
  test = await createTestDatabase('ledger_invariants');
  let clock = Date.parse('2026-03-01T00:00:00.000Z');
  ctx = test.ledger({ now: () => new Date(clock++) });
  await recorded({ kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } });
  const open = async (id: string, type: 'ISSUANCE' | 'HOLDING' | 'USE' | 'PROXY', sectionId: string | null) => {
    await recorded({ kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'Holder', sectionId, cooperativeApproachId: null } });
    await recorded({ kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  };
  await open('GHA-ISS', 'ISSUANCE', 'GHA');
  await open('GHA-H1', 'HOLDING', 'GHA');
  await open('GHA-H2', 'HOLDING', 'GHA');
  await open('GHA-USE', 'USE', 'GHA');
  await open('IR-PROXY', 'PROXY', null);
  await recorded({ kind: 'ISSUANCE', accountId: 'GHA-ISS', series: local, quantity: 1000n });
  await recorded({ kind: 'TRANSFER', fromAccountId: 'GHA-ISS', toAccountId: 'GHA-H1', selection: { mode: 'explicit', seriesId: LOCAL, firstSerial: 101n, lastSerial: 300n } });
  await recorded({ kind: 'TRANSFER', fromAccountId: 'GHA-H1', toAccountId: 'GHA-USE', selection: { mode: 'implicit', quantity: 20n, constraints: {} } });
  await recorded({ kind: 'EXTERNAL_TRANSFER', fromAccountId: 'GHA-ISS', destination: { registryId: 'XR', accountId: 'KEN-1' }, selection: { mode: 'explicit', seriesId: LOCAL, firstSerial: 1n, lastSerial: 50n } });
  await recorded({ kind: 'EXTERNAL_ARRIVAL', toAccountId: 'GHA-H2', origin: { registryId: 'XR', accountId: 'KEN-1', messageId: 'm-1' }, series: local, firstSerial: 11n, lastSerial: 20n });
  await recorded({ kind: 'EXTERNAL_ARRIVAL', toAccountId: 'GHA-H2', origin: { registryId: 'XR', accountId: 'KEN-2', messageId: 'm-2' }, series: abroad, firstSerial: 5001n, lastSerial: 5100n });
  const refused = await run({ kind: 'TRANSFER', fromAccountId: 'GHA-USE', toAccountId: 'GHA-H1', selection: { mode: 'implicit', quantity: 5n, constraints: {} } });
  if (refused.status !== 'REJECTED' || refused.transactionId === null) throw new Error('expected a rejection');
  rejectedTxId = refused.transactionId;
});

afterAll(async () => {
  await test?.drop();
});

describe('checkInvariants', () => {
  it('finds nothing wrong with a ledger written through the write path', async () => {
    expect(await checkInvariants(ctx.pool)).toEqual([]);
  });

  it('(1) finds units that no issuance or arrival generated', async () => {
    const found = await broken(async (c) => {
      const tx = await one<{ id: string; createdAt: Date }>(`SELECT id, "createdAt" FROM "LedgerTransaction" WHERE kind = 'ISSUANCE' AND status = 'RECORDED'`);
      await c.query(`INSERT INTO "UnitBlock" ("seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt") VALUES ($1, 2001, 2010, 'GHA-H1', $2, $3)`, [LOCAL, tx.id, tx.createdAt]);
    }, 'units-have-an-origin');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ invariant: 1, data: { seriesId: LOCAL, firstSerial: '2001', lastSerial: '2010', accountId: 'GHA-H1', generatedUpTo: '1000' } });
  });

  it('(1) does not count an arrival generated outside the proxy account', async () => {
    // An arrival whose log says it generated the units in a holding account: those units have no valid origin.
    const found = await broken(async (c) => {
      await c.query(`UPDATE "Account" SET type = 'HOLDING' WHERE id = 'IR-PROXY'`);
    }, 'units-have-an-origin');
    expect(found.map((v) => v.data.seriesId)).toContain(seriesIdOf(abroad));
  });

  it('(2) finds open blocks that share serials', async () => {
    const original = await one<{ id: bigint; firstSerial: bigint; lastSerial: bigint; createdByTxId: string; createdAt: Date }>(
      `SELECT id, "firstSerial", "lastSerial", "createdByTxId", "createdAt" FROM "UnitBlock" WHERE "accountId" = 'GHA-H1' AND "closedByTxId" IS NULL ORDER BY id LIMIT 1`,
    );
    const found = await broken(async (c) => {
      await c.query(`INSERT INTO "UnitBlock" ("seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt") VALUES ($1, $2, $2, 'GHA-H2', $3, $4)`, [LOCAL, original.lastSerial, original.createdByTxId, original.createdAt]);
    }, 'blocks-never-overlap');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ invariant: 2, data: { accountId: 'GHA-H2', otherBlockId: original.id.toString(), otherAccountId: 'GHA-H1', firstSerial: original.lastSerial.toString() } });
  });

  it('(3) finds units destroyed: held fewer than generated', async () => {
    const found = await broken(async (c) => {
      await c.query(`UPDATE "UnitBlock" SET "lastSerial" = "lastSerial" - 7 WHERE id = (SELECT id FROM "UnitBlock" WHERE "accountId" = 'GHA-ISS' AND "closedByTxId" IS NULL AND "lastSerial" - "firstSerial" > 10 ORDER BY id LIMIT 1)`);
    }, 'units-are-conserved');
    expect(found).toEqual([expect.objectContaining({ invariant: 3, data: { seriesId: LOCAL, generated: '1000', held: '993' } })]);
  });

  it('(4) finds units taken out of an end-use account', async () => {
    const found = await broken(async (c) => {
      const tx = await one<{ id: string; createdAt: Date }>(`SELECT id, "createdAt" FROM "LedgerTransaction" WHERE status = 'RECORDED' ORDER BY "createdAt" DESC LIMIT 1`);
      const block = await one<{ id: bigint; firstSerial: bigint; lastSerial: bigint }>(`SELECT id, "firstSerial", "lastSerial" FROM "UnitBlock" WHERE "accountId" = 'GHA-USE' AND "closedByTxId" IS NULL`);
      await c.query(`UPDATE "UnitBlock" SET "closedByTxId" = $1, "closedAt" = $2 WHERE id = $3`, [tx.id, tx.createdAt, block.id]);
      await c.query(`INSERT INTO "UnitBlock" ("seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt") VALUES ($1, $2, $3, 'GHA-H1', $4, $5)`, [LOCAL, block.firstSerial, block.lastSerial, tx.id, tx.createdAt]);
    }, 'end-use-accounts-only-receive');
    expect(found).toEqual([expect.objectContaining({ invariant: 4, data: expect.objectContaining({ accountId: 'GHA-USE', accountType: 'USE' }) })]);
  });

  it('(5) finds an edited log entry: its hash no longer recomputes', async () => {
    const entry = await one<{ seq: bigint }>(`SELECT seq FROM "LogEntry" WHERE kind = 'ISSUANCE' LIMIT 1`);
    const found = await broken(async (c) => {
      await c.query(`UPDATE "LogEntry" SET payload = replace(payload, '"quantity":"1000"', '"quantity":"9000"') WHERE seq = $1`, [entry.seq]);
    }, 'records-never-change');
    expect(found.some((v) => v.invariant === 5 && v.data.seq === entry.seq.toString() && v.data.hash !== v.data.recomputedHash)).toBe(true);
  });

  it('(5) finds an edited block: the log says otherwise', async () => {
    const found = await broken(async (c) => {
      await c.query(`UPDATE "UnitBlock" SET "accountId" = 'GHA-H2' WHERE id = (SELECT id FROM "UnitBlock" WHERE "accountId" = 'GHA-H1' ORDER BY id LIMIT 1)`);
    }, 'records-never-change');
    const sides = found.map((v) => `${v.data.foundIn} ${v.data.accountId}`);
    expect(sides).toContain('only in the log GHA-H1');
    expect(sides).toContain('only in the block table GHA-H2');
  });

  it('(5) finds a block closed by a transaction that never recorded, or before it existed', async () => {
    const found = await broken(async (c) => {
      await c.query(`UPDATE "UnitBlock" SET "closedByTxId" = $1, "closedAt" = "createdAt" - interval '1 second' WHERE id = (SELECT id FROM "UnitBlock" WHERE "accountId" = 'GHA-H2' AND "closedByTxId" IS NULL ORDER BY id LIMIT 1)`, [rejectedTxId]);
    }, 'records-never-change');
    expect(found.some((v) => v.data.closerStatus === 'REJECTED')).toBe(true);
  });

  it('(5) finds an account status changed without its event', async () => {
    const found = await broken(async (c) => {
      await c.query(`UPDATE "Account" SET status = 'FROZEN' WHERE id = 'GHA-H2'`);
    }, 'records-never-change');
    expect(found).toEqual([expect.objectContaining({ invariant: 5, data: { accountId: 'GHA-H2', status: 'FROZEN', latestEventStatus: 'ACTIVE' } })]);
  });

  it('(6) finds a live state that the log does not replay to', async () => {
    const found = await broken(async (c) => {
      await c.query(`UPDATE "UnitBlock" SET "accountId" = 'GHA-H2' WHERE id = (SELECT id FROM "UnitBlock" WHERE "accountId" = 'GHA-H1' AND "closedByTxId" IS NULL ORDER BY id LIMIT 1)`);
      await c.query(`UPDATE "Section" SET name = 'Renamed' WHERE id = 'GHA'`);
    }, 'replay-equals-live-state');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((v) => v.invariant === 6 && v.data.liveHash !== v.data.replayedHash)).toBe(true);
    const tables = new Set(found.map((v) => `${v.data.table} ${v.data.side}`));
    expect(tables).toEqual(new Set(['sections live', 'sections replayed', 'blocks live', 'blocks replayed']));
  });

  it('(7) finds a change made by a rejected transaction', async () => {
    const found = await broken(async (c) => {
      const at = await one<{ createdAt: Date }>(`SELECT "createdAt" FROM "LedgerTransaction" WHERE id = $1`, [rejectedTxId]);
      await c.query(`INSERT INTO "UnitBlock" ("seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt") VALUES ($1, 5101, 5105, 'GHA-H1', $2, $3)`, [seriesIdOf(abroad), rejectedTxId, at.createdAt]);
      await c.query(`INSERT INTO "AccountEvent" ("accountId", status, "transactionId", "createdAt") VALUES ('GHA-H1', 'ACTIVE', $1, $2)`, [rejectedTxId, at.createdAt]);
    }, 'rejections-change-nothing');
    expect(found.map((v) => v.data.problem).sort()).toEqual([expect.stringMatching(/^created block \d+$/), 'set account status ACTIVE']);
    expect(found.every((v) => v.data.transactionId === rejectedTxId)).toBe(true);
  });

  it('leaves the ledger as it was: every damage above was rolled back', async () => {
    expect(await checkInvariants(ctx.pool)).toEqual([]);
  });
});

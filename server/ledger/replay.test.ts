import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { seriesIdOf } from './operations/issue-units';
import { replayLog, ReplayError, Replayer, type LoggedPayload } from './replay';
import { rebuildInto } from './replay/rebuild';
import { createScratchDatabase, dropDatabase } from './replay/scratch-database';
import { createLedgerPool } from './sql';
import { liveStateAt, stateHash } from './state';
import type { AccountDefinition, Actor, LedgerContext, Proposal, SeriesAttributes } from './types';
import { execute } from './write-path';

const admin: Actor = { userId: 'admin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const sectionAdmin: Actor = { userId: 'gha-admin', impersonatorId: 'admin', grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };

/** A seeded generator (mulberry32): the same history on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const series = (overrides: Partial<SeriesAttributes>): SeriesAttributes => ({
  unitType: 'ITMO',
  cooperativeApproachId: null,
  originatingRegistry: 'IR',
  hostParty: 'GHA',
  firstTransferringParty: 'GHA',
  activityId: 'ACT-1',
  vintage: 2021,
  sectors: ['energy'],
  activityTypes: [],
  metric: 'tCO2e',
  pre2021: false,
  ...overrides,
});

const ISSUED = [series({ vintage: 2021 }), series({ vintage: 2022, sectors: ['energy', 'waste'], extra: { methodology: 'AMS-I.D' } }), series({ cooperativeApproachId: 'CA0001', hostParty: 'CHE', firstTransferringParty: 'CHE', activityId: 'ACT-9', vintage: 2023 })];
const FOREIGN = series({ originatingRegistry: 'XR', hostParty: 'SWE', firstTransferringParty: 'SWE', activityId: 'ACT-X', vintage: 2024, pre2021: false });
const HOLDINGS = ['H-001', 'H-002', 'H-003', 'H-004', 'H-005'];

/** A proposal without its idempotency key, which the history builder numbers. */
type Draft = Proposal extends infer P ? (P extends Proposal ? Omit<P, 'idempotencyKey'> : never) : never;

const account = (id: string, type: AccountDefinition['type'], sectionId: string | null, cooperativeApproachId: string | null = null): AccountDefinition => ({
  id,
  registry: 'INTERNATIONAL',
  name: `Account ${id}`,
  type,
  holderName: `Holder of ${id}`,
  sectionId,
  cooperativeApproachId,
});

/**
 * Builds a history through the one write path: reference data, accounts opened and activated,
 * issuances, explicit and implicit transfers, external transfers and arrivals (returning and new),
 * suspensions, refusals, repeated idempotency keys, and a few batches run concurrently.
 */
async function buildHistory(ctx: LedgerContext, pool: pg.Pool, transactions: number, rng: () => number): Promise<void> {
  let key = 0;
  const run = (actor: Actor, proposal: Draft) => execute(ctx, actor, { ...proposal, idempotencyKey: `k-${key++}` } as Proposal);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
  const other = (items: readonly string[], not: string): string => pick(items.filter((item) => item !== not));

  await run(admin, { kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } });
  await run(admin, { kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'CHE', name: 'Switzerland' } });
  await run(admin, { kind: 'DEFINE_REFERENCE', reference: { type: 'COOPERATIVE_APPROACH', id: 'CA0001', name: 'Ghana–Switzerland' } });
  for (const [nomenclature, id, name] of [
    ['sector', 'energy', 'Energy industries'],
    ['sector', 'waste', 'Waste handling and disposal'],
    ['methodology', 'AMS-I.D', 'Grid connected renewable electricity generation'],
  ] as const) {
    await run(admin, { kind: 'DEFINE_REFERENCE', reference: { type: 'NOMENCLATURE_ENTRY', nomenclature, id, name } });
  }
  const opened = [account('ISS-GHA', 'ISSUANCE', 'GHA'), account('ISS-CHE', 'ISSUANCE', 'CHE', 'CA0001'), account('PROXY-01', 'PROXY', null), account('USE-GHA', 'USE', 'GHA'), account('CAN-01', 'CANCELLATION', null), ...HOLDINGS.map((id, i) => account(id, 'HOLDING', i % 2 === 0 ? 'GHA' : null))];
  for (const a of opened) {
    await run(a.sectionId === 'GHA' && a.type !== 'PROXY' ? sectionAdmin : admin, { kind: 'OPEN_ACCOUNT', account: a });
    await run(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: a.id, status: 'ACTIVE' });
  }
  for (const s of ISSUED) await run(admin, { kind: 'ISSUANCE', accountId: s.hostParty === 'CHE' ? 'ISS-CHE' : 'ISS-GHA', series: s, quantity: 50_000n });
  for (const holder of HOLDINGS) {
    await run(admin, { kind: 'TRANSFER', fromAccountId: 'ISS-GHA', toAccountId: holder, selection: { mode: 'implicit', quantity: 5_000n, constraints: {} } });
    await run(admin, { kind: 'TRANSFER', fromAccountId: 'ISS-CHE', toAccountId: holder, selection: { mode: 'implicit', quantity: 2_000n, constraints: {} } });
  }

  const holders = [...HOLDINGS];
  const suspended = new Set<string>();
  let foreignNext = 1n;
  const openBlock = async (accountId: string) => {
    const { rows } = await pool.query<{ seriesId: string; firstSerial: bigint; lastSerial: bigint }>(
      `SELECT "seriesId", "firstSerial", "lastSerial" FROM "UnitBlock" WHERE "accountId" = $1 AND "closedByTxId" IS NULL ORDER BY "seriesId", "firstSerial"`,
      [accountId],
    );
    return rows.length === 0 ? null : pick(rows);
  };
  const subRange = (b: { firstSerial: bigint; lastSerial: bigint }) => {
    const size = b.lastSerial - b.firstSerial + 1n;
    const offset = BigInt(Math.floor(rng() * Number(size)));
    const length = 1n + BigInt(Math.floor(rng() * Number(size - offset)));
    return { firstSerial: b.firstSerial + offset, lastSerial: b.firstSerial + offset + length - 1n };
  };
  const implicitTransfer = (from: string, to: string) =>
    run(admin, { kind: 'TRANSFER', fromAccountId: from, toAccountId: to, selection: { mode: 'implicit', quantity: BigInt(1 + Math.floor(rng() * 1500)), constraints: pick([{}, {}, { vintage: 2021 }, { hostParty: 'GHA' }, { cooperativeApproachId: 'CA0001' }]) } });

  for (let step = 0; step < transactions; step++) {
    const roll = rng();
    const holder = pick(holders);
    if (step === Math.floor(transactions / 2)) {
      await run(admin, { kind: 'DEFINE_REFERENCE', reference: { type: 'NOMENCLATURE_ENTRY', nomenclature: 'sector', id: 'forestry', name: 'Afforestation and reforestation' } });
    } else if (roll < 0.3) {
      const from = pick(['ISS-GHA', 'ISS-CHE', ...holders]);
      await implicitTransfer(from, other([...holders, 'USE-GHA', 'CAN-01'], from));
    } else if (roll < 0.5) {
      const from = pick(['ISS-GHA', 'ISS-CHE', ...holders]);
      const block = await openBlock(from);
      if (block) await run(admin, { kind: 'TRANSFER', fromAccountId: from, toAccountId: other(holders, from), selection: { mode: 'explicit', seriesId: block.seriesId, ...subRange(block) } });
    } else if (roll < 0.6) {
      const block = await openBlock(holder);
      const selection = block && rng() < 0.5 ? { mode: 'explicit' as const, seriesId: block.seriesId, ...subRange(block) } : { mode: 'implicit' as const, quantity: BigInt(1 + Math.floor(rng() * 500)), constraints: {} };
      await run(admin, { kind: 'EXTERNAL_TRANSFER', fromAccountId: holder, destination: { registryId: 'XR', accountId: 'XR-77' }, selection });
    } else if (roll < 0.7) {
      const block = rng() < 0.5 ? await openBlock('PROXY-01') : null;
      if (block) {
        const attributes = ISSUED.find((s) => seriesIdOf(s) === block.seriesId) ?? FOREIGN;
        await run(admin, { kind: 'EXTERNAL_ARRIVAL', toAccountId: holder, origin: { registryId: 'XR', accountId: 'XR-77', messageId: `m-${step}` }, series: attributes, ...subRange(block) });
      } else {
        const quantity = BigInt(1 + Math.floor(rng() * 400));
        await run(admin, { kind: 'EXTERNAL_ARRIVAL', toAccountId: holder, origin: { registryId: 'XR', accountId: 'XR-77', messageId: `m-${step}` }, series: FOREIGN, firstSerial: foreignNext, lastSerial: foreignNext + quantity - 1n });
        foreignNext += quantity + BigInt(Math.floor(rng() * 50));
      }
    } else if (roll < 0.76) {
      // A suspension makes proposals on the account fail until it is lifted: REJECTED entries in the log.
      const [lifted] = suspended;
      if (lifted) suspended.delete(lifted);
      else suspended.add(holder);
      await run(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: lifted ?? holder, status: lifted ? 'ACTIVE' : 'SUSPENDED' });
    } else if (roll < 0.8) {
      await run(admin, { kind: 'ISSUANCE', accountId: 'ISS-GHA', series: pick(ISSUED.slice(0, 2)), quantity: BigInt(1 + Math.floor(rng() * 20_000)) });
    } else if (roll < 0.83) {
      // The same key again, with another input: REFUSED_DUPLICATE; with the same input: no entry at all.
      await execute(ctx, admin, { kind: 'SET_ACCOUNT_STATUS', idempotencyKey: `k-${Math.floor(rng() * key)}`, accountId: 'CAN-01', status: 'FROZEN' });
    } else if (roll < 0.85) {
      const id = `H-${String(holders.length + 1).padStart(3, '0')}`;
      await run(admin, { kind: 'OPEN_ACCOUNT', account: account(id, 'HOLDING', null) });
      await run(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
      holders.push(id);
    } else if (roll < 0.88) {
      await Promise.all(Array.from({ length: 8 }, () => implicitTransfer(holder, other(holders, holder))));
    } else {
      await implicitTransfer(holder, other(holders, holder));
    }
  }
}

let test: TestDatabase;
let pool: pg.Pool;
let moments: Date[];

beforeAll(async () => {
  test = await createTestDatabase('ledger_replay');
  const rng = seeded(20_260_301);
  let clock = Date.parse('2026-03-01T00:00:00Z');
  // A quarter of the transactions share their millisecond with the one before: ties must replay alike.
  const ctx = test.ledger({ now: () => new Date((clock += rng() < 0.25 ? 0 : 1 + Math.floor(rng() * 2000))), poolSize: 8 });
  pool = createLedgerPool(test.url, 4);
  await buildHistory(ctx, pool, 400, rng);
  const { rows } = await pool.query<{ createdAt: Date }>(`SELECT DISTINCT "createdAt" FROM "LogEntry" ORDER BY 1`);
  const times = rows.map((r) => r.createdAt.getTime());
  const at = (fraction: number) => times[Math.floor(fraction * (times.length - 1))] as number;
  moments = [
    (times[0] as number) - 1,
    times[0] as number,
    at(0.05),
    at(0.25) + 1,
    at(0.5),
    at(0.5) - 1,
    at(0.75),
    at(0.9) + 1,
    times[times.length - 1] as number,
    Date.parse('2100-01-01T00:00:00Z'),
  ].map((t) => new Date(t));
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await test?.drop();
});

describe('replaying the log', () => {
  it('has a history worth replaying', async () => {
    const { rows } = await pool.query<{ status: string; n: number }>(`SELECT payload::jsonb->>'status' AS status, count(*)::int AS n FROM "LogEntry" GROUP BY 1`);
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    expect(byStatus.RECORDED).toBeGreaterThan(300);
    expect(byStatus.REJECTED).toBeGreaterThan(0);
    expect(byStatus.REFUSED_DUPLICATE).toBeGreaterThan(0);
    const extra = await pool.query<{ extra: string }>(`SELECT DISTINCT extra FROM "UnitSeries" ORDER BY 1`);
    expect(extra.rows.map((r) => r.extra)).toEqual(['{"methodology":"AMS-I.D"}', '{}']);
    const kinds = await pool.query<{ kind: string }>(`SELECT DISTINCT kind FROM "LogEntry" WHERE payload LIKE '%"status":"RECORDED"%' ORDER BY kind`);
    expect(kinds.rows.map((r) => r.kind)).toEqual(['DEFINE_REFERENCE', 'EXTERNAL_ARRIVAL', 'EXTERNAL_TRANSFER', 'ISSUANCE', 'OPEN_ACCOUNT', 'SET_ACCOUNT_STATUS', 'TRANSFER']);
    const generated = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "LogEntry" WHERE payload LIKE '%"op":"generate"%'`);
    expect(generated.rows[0]?.n).toBeGreaterThan(0);
    const chains = await pool.query<{ n: number }>(`SELECT count(DISTINCT chain)::int AS n FROM "LogEntry"`);
    expect(chains.rows[0]?.n).toBeGreaterThan(1);
  });

  it('rebuilds, at every moment tried, the state the live tables held then', async () => {
    for (const at of moments) {
      const replayed = await replayLog(pool, { at });
      const live = await liveStateAt(pool, at);
      expect(replayed.state, `state as of ${at.toISOString()}`).toEqual(live);
      expect(stateHash(replayed.state)).toBe(stateHash(live));
    }
  });

  it('gives different hashes to different moments, and the empty state before the first entry', async () => {
    const [before, , , quarter] = moments as [Date, Date, Date, Date];
    const empty = await replayLog(pool, { at: before });
    expect(empty.entries).toBe(0);
    expect(empty.state).toEqual({ sections: [], cooperativeApproaches: [], nomenclatureEntries: [], accounts: [], series: [], blocks: [], administrativeRecords: [] });
    const quarterState = await liveStateAt(pool, quarter);
    expect(quarterState.blocks.length).toBeGreaterThan(0);
    expect(stateHash(quarterState)).not.toBe(stateHash(await liveStateAt(pool)));
  });

  it('keeps every block record, closed as the log closed it, and conserves units per series', async () => {
    const replayed = await replayLog(pool);
    const { rows } = await pool.query<{ n: number; closed: number }>(`SELECT count(*)::int AS n, count("closedByTxId")::int AS closed FROM "UnitBlock"`);
    expect(replayed.history.length).toBe(rows[0]?.n);
    expect(replayed.history.filter((b) => b.closedByTxId !== null).length).toBe(rows[0]?.closed);
    expect(replayed.counts.recorded + replayed.counts.rejected + replayed.counts.duplicates).toBe(replayed.entries);
  });

  it('rebuilds into a scratch database whose tables read back the same state', async () => {
    const scratch = await createScratchDatabase(test.url);
    const scratchPool = createLedgerPool(scratch.url, 2);
    try {
      const at = moments[4] as Date;
      const replayed = await replayLog(pool, { at });
      const counts = await rebuildInto(scratch.url, replayed);
      expect(counts.blocks).toBe(replayed.history.length);
      for (const moment of [at, moments[2] as Date, new Date(at.getTime() - 1)]) {
        expect(stateHash(await liveStateAt(scratchPool, moment)), `scratch as of ${moment.toISOString()}`).toBe(stateHash(await liveStateAt(pool, moment)));
      }
      // The transaction rows written are those the log holds, byte for byte.
      const live = await pool.query<{ id: string; input: string; refusals: string }>(`SELECT id, input, refusals FROM "LedgerTransaction" WHERE "createdAt" <= $1::timestamp ORDER BY id`, [at.toISOString()]);
      const rebuilt = await scratchPool.query<{ id: string; input: string; refusals: string }>(`SELECT id, input, refusals FROM "LedgerTransaction" ORDER BY id`);
      expect(rebuilt.rows).toEqual(live.rows);
    } finally {
      await scratchPool.end();
      await scratch.drop();
    }
  });

  it('rebuilds the whole log into a database it creates itself', async () => {
    const url = new URL(test.url);
    url.pathname = `${url.pathname}_rebuilt`;
    const scratchPool = createLedgerPool(url.toString(), 2);
    try {
      await rebuildInto(url.toString(), await replayLog(pool));
      expect(stateHash(await liveStateAt(scratchPool))).toBe(stateHash(await liveStateAt(pool)));
    } finally {
      await scratchPool.end();
      await dropDatabase(url.toString());
    }
  });
});

describe('a log that contradicts itself', () => {
  const entry = (transactionId: string, kind: string, operations: unknown[]): LoggedPayload => ({
    status: 'RECORDED',
    kind,
    transactionId,
    createdAt: '2026-01-01T00:00:00.000Z',
    idempotencyKey: transactionId,
    inputHash: 'h',
    input: { actor: { userId: 'u', impersonatorId: null } },
    operations,
  });
  const block = (op: string, firstSerial: string, lastSerial: string, accountId: string) => ({ op, seriesId: 'S1', firstSerial, lastSerial, accountId });
  const seriesOp = { op: 'series', ...series({}), id: 'S1', sectors: [], activityTypes: [] };
  const opened = (id: string) => ({ op: 'open-account', ...account(id, 'HOLDING', null), status: 'ACTIVE' });
  const started = () => {
    const replayer = new Replayer({ keepTransactions: false });
    replayer.apply(1n, 0, '', entry('t1', 'OPEN_ACCOUNT', [opened('A')]));
    replayer.apply(2n, 0, '', entry('t2', 'OPEN_ACCOUNT', [opened('B')]));
    replayer.apply(3n, 1, '', entry('t3', 'ISSUANCE', [seriesOp, block('create', '1', '100', 'A')]));
    return replayer;
  };
  const failure = (apply: () => void): ReplayError => {
    try {
      apply();
    } catch (error) {
      if (error instanceof ReplayError) return error;
      throw error;
    }
    throw new Error('replay accepted an incoherent log');
  };

  it('accepts a coherent split and reports its state', () => {
    const replayer = started();
    replayer.apply(4n, 2, '', entry('t4', 'TRANSFER', [block('close', '1', '100', 'A'), block('create', '11', '20', 'B'), block('create', '1', '10', 'A'), block('create', '21', '100', 'A')]));
    const result = replayer.finish(null, 0);
    expect(result.state.blocks.map((b) => [b.firstSerial, b.lastSerial, b.accountId])).toEqual([
      [1n, 10n, 'A'],
      [11n, 20n, 'B'],
      [21n, 100n, 'A'],
    ]);
    expect(result.history[0]).toMatchObject({ closedByTxId: 't4', closedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('names the entry that closes a block that is not open, or not as the log says', () => {
    expect(failure(() => started().apply(4n, 2, '', entry('t4', 'TRANSFER', [block('close', '2', '100', 'A'), block('create', '2', '100', 'B')])))).toMatchObject({ seq: 4n, chain: 2 });
    expect(failure(() => started().apply(4n, 2, '', entry('t4', 'TRANSFER', [block('close', '1', '100', 'B'), block('create', '1', '100', 'A')]))).reason).toMatch(/in account A/);
  });

  it('refuses units created by a transfer, destroyed by one, or issued over open serials', () => {
    expect(failure(() => started().apply(4n, 2, '', entry('t4', 'TRANSFER', [block('close', '1', '100', 'A'), block('create', '1', '101', 'B')]))).reason).toMatch(/outside every block/);
    expect(failure(() => started().apply(4n, 2, '', entry('t4', 'TRANSFER', [block('close', '1', '100', 'A'), block('create', '1', '50', 'B')]))).reason).toMatch(/closed 100 units but created 50/);
    expect(failure(() => started().apply(4n, 2, '', entry('t4', 'TRANSFER', [block('close', '1', '100', 'A'), block('create', '1', '50', 'B'), block('create', '40', '89', 'A')]))).reason).toMatch(/overlap/);
    expect(failure(() => started().apply(4n, 2, '', entry('t4', 'ISSUANCE', [block('create', '100', '150', 'A')]))).reason).toMatch(/overlap serials of the series already in use/);
    expect(failure(() => started().apply(4n, 2, '', entry('t4', 'TRANSFER', [block('generate', '200', '300', 'A'), block('close', '200', '300', 'A'), block('create', '200', '300', 'B')]))).reason).toMatch(/outside an external arrival/);
  });

  it('lets arrivals generate units in gaps of a series, never over serials in use', () => {
    const arrival = (first: string, last: string) => [block('generate', first, last, 'B'), block('close', first, last, 'B'), block('create', first, last, 'A')];
    const replayer = started();
    replayer.apply(4n, 2, '', entry('t4', 'EXTERNAL_ARRIVAL', arrival('300', '400')));
    replayer.apply(5n, 2, '', entry('t5', 'EXTERNAL_ARRIVAL', arrival('150', '200')));
    replayer.apply(6n, 2, '', entry('t6', 'EXTERNAL_ARRIVAL', arrival('101', '149')));
    expect(failure(() => replayer.apply(7n, 2, '', entry('t7', 'EXTERNAL_ARRIVAL', arrival('201', '300')))).reason).toMatch(/already in use/);
    const fresh = started();
    fresh.apply(4n, 2, '', entry('t4', 'EXTERNAL_ARRIVAL', arrival('300', '400')));
    fresh.apply(5n, 2, '', entry('t5', 'EXTERNAL_ARRIVAL', arrival('201', '299')));
    const result = fresh.finish(null, 0);
    // The passage through account B leaves no block record: only the blocks created in A.
    expect(result.history.map((b) => [b.firstSerial, b.accountId])).toEqual([
      [1n, 'A'],
      [300n, 'A'],
      [201n, 'A'],
    ]);
  });

  it('refuses operations on accounts and references that do not exist', () => {
    expect(failure(() => started().apply(4n, 2, '', entry('t4', 'SET_ACCOUNT_STATUS', [{ op: 'account-status', accountId: 'Z', from: 'ACTIVE', to: 'SUSPENDED' }]))).reason).toMatch(/does not exist/);
    expect(failure(() => started().apply(4n, 2, '', entry('t4', 'SET_ACCOUNT_STATUS', [{ op: 'account-status', accountId: 'A', from: 'INITIAL', to: 'ACTIVE' }]))).reason).toMatch(/is ACTIVE, not INITIAL/);
    expect(failure(() => started().apply(4n, 2, '', entry('t4', 'OPEN_ACCOUNT', [{ ...opened('C'), sectionId: 'NOR' }]))).reason).toMatch(/section NOR/);
  });
});

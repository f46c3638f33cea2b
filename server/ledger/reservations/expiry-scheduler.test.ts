import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { accountBlocks } from '../queries';
import { WHOLE_REGISTRY } from '../authority';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from '../types';
import { describeDisagreement, verifyLedger } from '../verify';
import { execute } from '../write-path';
import { createLedgerContext } from '../context';
import { createLedgerPool } from '../sql';
import { enqueueJob } from '../../jobs/queue';
import { startRegistryJobs } from '../../jobs/registry-jobs';
import { expireDueReservations, SCHEDULER_ACTOR } from './expiry-scheduler';
import { testClockStart } from '../../testing/test-clock';

/**
 * The reservation expiry that runs inside the registry (A6R-47): due reservations are sent back, the
 * others stay reserved, and two runs at once (in one process or in two) release each only once; as the
 * registry's `reservation-expiry` job on the job queue, it runs once however many workers are up.
 */

let test: TestDatabase;
let ctx: LedgerContext & { publicKeyPem: string };
let other: LedgerContext & { close(): Promise<void> };
let n = 0;
const HOUR = 3_600_000;
const start = testClockStart('2026-11-22T08:00:00.000Z');
let clock = start;
const now = () => new Date(clock++);

const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const holder: Actor = { userId: 'holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200' }] };
const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-1', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
async function recorded(actor: Actor, proposal: Unkeyed<Proposal>): Promise<Outcome & { status: 'RECORDED' }> {
  const outcome = await execute(ctx, actor, { ...proposal, idempotencyKey: `s-${n++}` } as Proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED, got ${JSON.stringify(outcome.refusals)}`);
  return outcome;
}
const balance = async (id: string) => (await accountBlocks(test.db, WHOLE_REGISTRY, id)).reduce((sum, b) => sum + (b.lastSerial - b.firstSerial + 1n), 0n);
const releases = async (reservation: string) => test.db.administrativeRecord.count({ where: { kind: 'RESERVATION_RELEASE', scopeId: reservation } });
const reserve = async (quantity: bigint) => {
  const outcome = await recorded(holder, { kind: 'TRANSFER', fromAccountId: 'GHA-200', toAccountId: 'GHA-300', selection: { mode: 'implicit', quantity, constraints: {} } });
  expect(outcome.pending).toBe(true);
  return outcome.transactionId;
};

let due = '';
let later: string[] = [];

beforeAll(async () => {
  test = await createTestDatabase('ledger_expiry_scheduler');
  ctx = test.ledger({ now });
  // A second server process: its own pool, the same database, clock and signing key.
  other = createLedgerContext({ db: test.db, databaseUrl: test.url, signer: ctx.signer, now });
  await recorded(admin, { kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } });
  for (const [id, type, sectionId] of [['GHA-100', 'ISSUANCE', 'GHA'], ['GHA-200', 'HOLDING', 'GHA'], ['GHA-300', 'HOLDING', 'GHA'], ['ESCROW', 'ADMIN_HOLDING', null]] as const) {
    await recorded(admin, { kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'H', sectionId, cooperativeApproachId: null } });
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  }
  await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 1_000n });
  await recorded(admin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 1_000n, constraints: {} } });
  await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'four-eyes', scope: { type: 'SECTION', id: 'GHA' }, enabled: true, settings: { threshold: '10', escrowAccountId: 'ESCROW', expiresAfterHours: 1 } });
  // One reservation due at 09:00, two more due at 09:30 and 09:50.
  due = await reserve(100n);
  clock = start + 30 * 60_000;
  later = [await reserve(200n)];
  clock = start + 50 * 60_000;
  later.push(await reserve(300n));
});

afterAll(async () => {
  await other?.close();
  await test?.drop();
});

describe('reservation expiry inside the running registry (A6R-47)', () => {
  it('releases what is due and leaves the rest; two processes at once release it only once', async () => {
    clock = start + 75 * 60_000;
    const [a, b] = await Promise.all([expireDueReservations(ctx, () => undefined), expireDueReservations(other, () => undefined)]);
    expect([...a.expired, ...b.expired]).toEqual([due]);
    expect([...a.alreadyAnswered, ...b.alreadyAnswered].filter((id) => id !== due)).toEqual([]);
    expect(await releases(due)).toBe(1);
    for (const id of later) expect(await releases(id)).toBe(0);
    expect(await balance('ESCROW')).toBe(500n);
    expect(await balance('GHA-200')).toBe(500n);
    // The expiry is a ledger transaction, initiated by the registry itself.
    const expiry = await test.db.ledgerTransaction.findMany({ where: { kind: 'RELEASE_RESERVATION', status: 'RECORDED' } });
    expect(expiry.map((t) => t.initiatorId)).toEqual([SCHEDULER_ACTOR.userId]);
  });

  it('runs as the registry job on the job queue: enqueued by two processes at once, run by whichever worker takes it, each reservation sent back once', async () => {
    const lines: string[] = [];
    const pools = [createLedgerPool(test.url, 1), createLedgerPool(test.url, 1)];
    const compliance = createLedgerPool(test.url, 1);
    // Two server processes, each with its worker; nothing scheduled, the job is asked for directly.
    const workers = await Promise.all(
      pools.map((_, i) => startRegistryJobs({ ledger: i === 0 ? ctx : other, databaseUrl: test.url, compliancePool: compliance, schedules: { reservationExpiry: null, compliance: null }, log: (line) => lines.push(line), pollIntervalMs: 60_000 })),
    );
    try {
      clock = start + 2 * HOUR;
      await Promise.all(pools.map((pool) => pool.connect().then(async (client) => {
        try {
          await enqueueJob(client, 'reservation-expiry', {}, { queue: 'reservation-expiry' });
        } finally {
          client.release();
        }
      })));
      const deadline = Date.now() + 10_000;
      while ((await balance('ESCROW')) > 0n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all([...pools, compliance].map((p) => p.end()));
    }
    expect(await balance('ESCROW')).toBe(0n);
    expect(await balance('GHA-200')).toBe(1_000n);
    for (const id of [due, ...later]) expect(await releases(id)).toBe(1);
    expect(lines.filter((l) => l.includes('expired')).length).toBe(2);
    const verified = await verifyLedger(ctx.pool, ctx.publicKeyPem);
    expect(verified.disagreement && describeDisagreement(verified.disagreement)).toBeNull();
  });
});

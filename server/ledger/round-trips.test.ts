// The write path's round trips to PostgreSQL, counted on the wire: a recorded transfer makes two, the
// locks with its first read and the record with its COMMIT, whether its values are serials, a quantity
// or constraints (all of them bound parameters); a refusal makes two more to record it. Each round
// trip ends with the server's ReadyForQuery, after a simple query or after the Sync of a pipeline.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { seriesIdOf } from './operations/issue-units';
import type { Actor, LedgerContext, Proposal, SeriesAttributes } from './types';
import { execute } from './write-path';

let test: TestDatabase;
let ctx: LedgerContext;
let roundTrips = 0;
const admin: Actor = { userId: 'admin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: "GHA-'1'", vintage: 2021, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
let n = 0;

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
const run = (proposal: Unkeyed<Proposal>) => execute(ctx, admin, { ...proposal, idempotencyKey: `rt-${n++}` } as Proposal);

/** The round trips one proposal makes, counted over every connection of the ledger's pool. */
async function counted(proposal: Unkeyed<Proposal>): Promise<{ status: string; roundTrips: number }> {
  const before = roundTrips;
  const outcome = await run(proposal);
  return { status: outcome.status, roundTrips: roundTrips - before };
}

beforeAll(async () => {
  test = await createTestDatabase('ledger_round_trips');
  ctx = test.ledger();
  const watched = new WeakSet<pg.PoolClient>();
  ctx.pool.on('acquire', (client) => {
    if (watched.has(client)) return;
    watched.add(client);
    (client as unknown as { connection: { on(event: 'readyForQuery', listener: () => void): void } }).connection.on('readyForQuery', () => roundTrips++);
  });
  const must = async (proposal: Unkeyed<Proposal>) => {
    const outcome = await run(proposal);
    expect(outcome.status === 'REJECTED' ? outcome.refusals : outcome.status).toBe('RECORDED');
  };
  for (const [id, type] of [['ISS', 'ISSUANCE'], ['HLD-1', 'HOLDING'], ['HLD-2', 'HOLDING']] as const) {
    await must({ kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'Holder', sectionId: null, cooperativeApproachId: null } });
    await must({ kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  }
  await must({ kind: 'ISSUANCE', accountId: 'ISS', series, quantity: 10_000n });
  await must({ kind: 'TRANSFER', fromAccountId: 'ISS', toAccountId: 'HLD-1', selection: { mode: 'implicit', quantity: 5_000n, constraints: {} } });
  // The rules engine reads the facts of an account it has not yet seen, once per pool, in a round trip of its own.
  await must({ kind: 'TRANSFER', fromAccountId: 'HLD-1', toAccountId: 'HLD-2', selection: { mode: 'implicit', quantity: 1n, constraints: {} } });
}, 120_000);

afterAll(async () => {
  await test?.drop();
});

describe('round trips per transaction', () => {
  it('are two for a recorded transfer, however its units are selected', async () => {
    // Each kind twice: the first on a connection also prepares its statements, in the same round trips.
    for (let i = 0; i < 2; i++) {
      expect(await counted({ kind: 'TRANSFER', fromAccountId: 'HLD-1', toAccountId: 'HLD-2', selection: { mode: 'implicit', quantity: 7n, constraints: {} } })).toEqual({ status: 'RECORDED', roundTrips: 2 });
      expect(await counted({ kind: 'TRANSFER', fromAccountId: 'HLD-1', toAccountId: 'HLD-2', selection: { mode: 'implicit', quantity: 3n, constraints: { activityId: series.activityId, vintage: 2021, hostParty: 'GHA' } } })).toEqual({ status: 'RECORDED', roundTrips: 2 });
      const first = BigInt(9_000 + 10 * i);
      expect(await counted({ kind: 'TRANSFER', fromAccountId: 'ISS', toAccountId: 'HLD-2', selection: { mode: 'explicit', seriesId: seriesIdOf(series), firstSerial: first, lastSerial: first + 4n } })).toEqual({ status: 'RECORDED', roundTrips: 2 });
    }
  });

  it('are four for a refusal: the attempt and its ROLLBACK, then the record of the refusal with its COMMIT', async () => {
    // The attempt: its locks and first read, then ROLLBACK; the rejection: the chain claim, then the record with COMMIT.
    for (let i = 0; i < 2; i++) {
      expect(await counted({ kind: 'TRANSFER', fromAccountId: 'HLD-1', toAccountId: 'HLD-2', selection: { mode: 'implicit', quantity: 1n, constraints: { activityId: "GHA-'1' OR '1'='1" } } })).toEqual({ status: 'REJECTED', roundTrips: 4 });
    }
  });
});

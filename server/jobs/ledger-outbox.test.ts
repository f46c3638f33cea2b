import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { testClockStart } from '../testing/test-clock';
import { createLedgerContext } from '../ledger/context';
import type { Actor, FollowUpJob, LedgerContext, Outcome, Proposal, SeriesAttributes } from '../ledger/types';
import { execute } from '../ledger/write-path';
import { JOBS_SCHEMA, migrateJobs } from './queue';

/**
 * The ledger's outbox: the jobs a recorded transaction asks for are enqueued in its own database
 * transaction, so a job exists exactly when its transaction was recorded: never for a refusal, never
 * for a transaction that failed to commit, never twice for a retried key.
 */

let test: TestDatabase;
let ledger: LedgerContext;
let asked: (proposal: Proposal, recorded: { transactionId: string }) => readonly FollowUpJob[] = () => [];
let clock = testClockStart('2026-11-22T08:00:00.000Z');
const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-1', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
let n = 0;
type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
const propose = (proposal: Unkeyed<Proposal>, key = `o-${n++}`): Promise<Outcome> => execute(ledger, admin, { ...proposal, idempotencyKey: key } as Proposal);
const jobs = async () => (await ledger.pool.query<{ task_identifier: string; payload: { transactionId: string } }>(`SELECT t.identifier AS task_identifier, j.payload FROM ${JOBS_SCHEMA}._private_jobs j JOIN ${JOBS_SCHEMA}._private_tasks t ON t.id = j.task_id ORDER BY j.id`)).rows;

beforeAll(async () => {
  test = await createTestDatabase('ledger_outbox');
  await migrateJobs(test.url);
  const base = test.ledger({ now: () => new Date(clock++) });
  ledger = createLedgerContext({ db: test.db, databaseUrl: test.url, signer: base.signer, now: base.now });
  ledger = { ...ledger, followUps: (proposal, recorded) => asked(proposal, recorded) };
  await propose({ kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } });
  for (const [id, type] of [['GHA-100', 'ISSUANCE'], ['GHA-200', 'HOLDING']] as const) {
    await propose({ kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'H', sectionId: 'GHA', cooperativeApproachId: null } });
    await propose({ kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  }
  await propose({ kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 100n });
  asked = (proposal, recorded) => (proposal.kind === 'TRANSFER' ? [{ task: 'notify-transfer', payload: { transactionId: recorded.transactionId } }] : []);
});

afterAll(async () => {
  await test?.drop();
});

describe("the ledger's outbox on the job queue", () => {
  const transfer = { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 10n, constraints: {} } } as const;

  it('enqueues the jobs a recorded transaction asks for with it, once, even when its key is retried', async () => {
    const outcome = await propose(transfer, 'transfer-1');
    expect(outcome.status).toBe('RECORDED');
    expect((await propose(transfer, 'transfer-1')).replayed).toBe(true);
    expect(await jobs()).toEqual([{ task_identifier: 'notify-transfer', payload: { transactionId: outcome.transactionId } }]);
  });

  it('enqueues nothing for a refused proposal', async () => {
    const refused = await propose({ ...transfer, selection: { mode: 'implicit', quantity: 1_000n, constraints: {} } });
    expect(refused.status).toBe('REJECTED');
    expect(await jobs()).toHaveLength(1);
  });

  it('leaves neither the transaction nor its jobs when the commit fails after they were enqueued', async () => {
    const before = await test.db.ledgerTransaction.count();
    // The first job is enqueued, the second is out of bounds: the database transaction aborts with both.
    asked = (_proposal, recorded) => [{ task: 'notify-transfer', payload: { transactionId: recorded.transactionId } }, { task: '', payload: {} }];
    await expect(propose(transfer)).rejects.toThrow(/job task name must be 1 to 128 characters/);
    expect(await test.db.ledgerTransaction.count()).toBe(before);
    expect(await jobs()).toHaveLength(1);
  });
});

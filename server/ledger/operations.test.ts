import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { seriesIdOf } from './operations/issue-units';
import { accountBlocks } from './queries';
import { WHOLE_REGISTRY } from './authority';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from './types';
import { execute } from './write-path';

let test: TestDatabase;
let ctx: LedgerContext;
let n = 0;

const registryAdmin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const ghanaAdmin: Actor = { userId: 'gha', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };
const holder: Actor = { userId: 'holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200' }] };
const abroad: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: 'CA1', originatingRegistry: 'XR', hostParty: 'KEN', firstTransferringParty: 'KEN', activityId: 'KEN-1', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
const local: SeriesAttributes = { ...abroad, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-1' };

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;

/** Runs a proposal with a fresh idempotency key. */
function run(actor: Actor, proposal: Unkeyed<Proposal>): Promise<Outcome> {
  return execute(ctx, actor, { ...proposal, idempotencyKey: `op-${n++}` } as Proposal);
}

const codes = (outcome: Outcome) => (outcome.status === 'REJECTED' ? outcome.refusals.map((r) => r.code) : []);

function account(id: string, type: 'ISSUANCE' | 'HOLDING' | 'PROXY' | 'CANCELLATION', sectionId: string | null) {
  return { kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'Holder', sectionId, cooperativeApproachId: null } } as const;
}

beforeAll(async () => {
  test = await createTestDatabase('ledger_operations');
  ctx = test.ledger();
  expect((await run(registryAdmin, { kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } })).status).toBe('RECORDED');
  expect((await run(registryAdmin, { kind: 'DEFINE_REFERENCE', reference: { type: 'COOPERATIVE_APPROACH', id: 'CA1', name: 'Approach' } })).status).toBe('RECORDED');
});

afterAll(async () => {
  await test?.drop();
});

describe('account configuration', () => {
  it('lets a section administrator open accounts in his section only, in the Initial status', async () => {
    expect((await run(ghanaAdmin, account('GHA-100', 'ISSUANCE', 'GHA'))).status).toBe('RECORDED');
    expect((await run(ghanaAdmin, account('GHA-200', 'HOLDING', 'GHA'))).status).toBe('RECORDED');
    expect(codes(await run(ghanaAdmin, account('SVC-1', 'HOLDING', null)))).toEqual([2007]);
    expect(codes(await run(ghanaAdmin, account('GHA-100', 'HOLDING', 'GHA')))).toEqual([2006]);
    expect(codes(await run(ghanaAdmin, { kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'KEN', name: 'Kenya' } }))).toEqual([2011]);
    const opened = await test.db.account.findUnique({ where: { id: 'GHA-200' } });
    expect(opened?.status).toBe('INITIAL');
  });

  it('keeps an Initial account out of every transaction until it is activated', async () => {
    const refused = await run(ghanaAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: local, quantity: 100n });
    expect(codes(refused)).toEqual([2002]);
    expect((await run(ghanaAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-100', status: 'ACTIVE' })).status).toBe('RECORDED');
    expect((await run(ghanaAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-200', status: 'ACTIVE' })).status).toBe('RECORDED');
    expect((await run(ghanaAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: local, quantity: 1000n })).status).toBe('RECORDED');
  });

  it('reserves Restricted and Frozen to registry administrators, and Terminated is final', async () => {
    expect(codes(await run(ghanaAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-200', status: 'FROZEN' }))).toEqual([2009]);
    expect(codes(await run(ghanaAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-200', status: 'RESTRICTED' }))).toEqual([2009]);
    expect((await run(registryAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-200', status: 'FROZEN' })).status).toBe('RECORDED');
    // Only a registry administrator lifts a freeze.
    expect(codes(await run(ghanaAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-200', status: 'ACTIVE' }))).toEqual([2009]);
    expect(codes(await run(ghanaAdmin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 1n, constraints: {} } }))).toEqual([3002]);
    expect((await run(registryAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-200', status: 'ACTIVE' })).status).toBe('RECORDED');
    expect((await run(ghanaAdmin, account('GHA-900', 'HOLDING', 'GHA'))).status).toBe('RECORDED');
    expect((await run(ghanaAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-900', status: 'TERMINATED' })).status).toBe('RECORDED');
    expect(codes(await run(registryAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-900', status: 'ACTIVE' }))).toEqual([2009]);
    const events = await test.db.accountEvent.findMany({ where: { accountId: 'GHA-200' }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.status)).toEqual(['INITIAL', 'ACTIVE', 'FROZEN', 'ACTIVE']);
  });
});

describe('external transfers through the proxy account (A6R-54)', () => {
  beforeAll(async () => {
    expect((await run(registryAdmin, account('IR-PROXY', 'PROXY', null))).status).toBe('RECORDED');
    expect((await run(registryAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'IR-PROXY', status: 'ACTIVE' })).status).toBe('RECORDED');
  });

  it('refuses an internal transfer into the proxy account', async () => {
    expect(codes(await run(ghanaAdmin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'IR-PROXY', selection: { mode: 'implicit', quantity: 1n, constraints: {} } }))).toEqual([3003]);
  });

  it('places outgoing units in the proxy account', async () => {
    const out = await run(ghanaAdmin, { kind: 'EXTERNAL_TRANSFER', fromAccountId: 'GHA-100', destination: { registryId: 'XR', accountId: 'KEN-555' }, selection: { mode: 'explicit', seriesId: seriesIdOf(local), firstSerial: 1n, lastSerial: 100n } });
    expect(out).toMatchObject({ status: 'RECORDED', quantity: 100n });
    expect((await accountBlocks(test.db, WHOLE_REGISTRY, 'IR-PROXY')).map((b) => [b.firstSerial, b.lastSerial])).toEqual([[1n, 100n]]);
  });

  it('brings returning units back out of the proxy account', async () => {
    const back = await run(registryAdmin, { kind: 'EXTERNAL_ARRIVAL', toAccountId: 'GHA-200', origin: { registryId: 'XR', accountId: 'KEN-555', messageId: 'm-1' }, series: local, firstSerial: 41n, lastSerial: 60n });
    expect(back).toMatchObject({ status: 'RECORDED', quantity: 20n });
    expect((await accountBlocks(test.db, WHOLE_REGISTRY, 'IR-PROXY')).map((b) => [b.firstSerial, b.lastSerial])).toEqual([
      [1n, 40n],
      [61n, 100n],
    ]);
    expect((await accountBlocks(test.db, WHOLE_REGISTRY, 'GHA-200')).map((b) => [b.firstSerial, b.lastSerial])).toEqual([[41n, 60n]]);
  });

  it('generates units never seen here in the proxy account and passes them on', async () => {
    const arrived = await run(registryAdmin, { kind: 'EXTERNAL_ARRIVAL', toAccountId: 'GHA-200', origin: { registryId: 'XR', accountId: 'KEN-1', messageId: 'm-2' }, series: abroad, firstSerial: 5001n, lastSerial: 5500n });
    expect(arrived).toMatchObject({ status: 'RECORDED', quantity: 500n });
    const entry = await test.db.logEntry.findFirst({ where: { transactionId: arrived.transactionId ?? '' } });
    expect(JSON.parse(entry?.payload ?? '{}').operations.map((o: { op: string }) => o.op)).toEqual(['series', 'generate', 'close', 'create']);
    // The same units cannot arrive twice: they now exist here, outside the proxy account.
    expect(codes(await run(registryAdmin, { kind: 'EXTERNAL_ARRIVAL', toAccountId: 'GHA-200', origin: { registryId: 'XR', accountId: 'KEN-1', messageId: 'm-3' }, series: abroad, firstSerial: 5400n, lastSerial: 5600n }))).toEqual([4004]);
  });

  it('lets an account holder transfer only from his own account', async () => {
    expect(codes(await run(holder, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 1n, constraints: {} } }))).toEqual([2004]);
    expect((await run(holder, { kind: 'EXTERNAL_TRANSFER', fromAccountId: 'GHA-200', destination: { registryId: 'XR', accountId: 'KEN-2' }, selection: { mode: 'implicit', quantity: 500n, constraints: { hostParty: 'KEN' } } })).status).toBe('RECORDED');
  });
});

describe('attributes from the common nomenclatures', () => {
  const withExtra = (extra: Record<string, string>, sectors: string[] = []): SeriesAttributes => ({ ...local, activityId: 'GHA-NOM', sectors, extra });

  it('refuses attributes that are not entries of their nomenclature, and accepts them once defined', async () => {
    const refused = await run(ghanaAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: withExtra({ methodology: 'AMS-II.G' }), quantity: 10n });
    expect(refused.status === 'REJECTED' && refused.refusals.map((r) => [r.code, r.judged.field])).toEqual([[4003, 'methodology']]);
    expect((await run(registryAdmin, { kind: 'DEFINE_REFERENCE', reference: { type: 'NOMENCLATURE_ENTRY', nomenclature: 'methodology', id: 'AMS-II.G', name: 'Energy efficiency in thermal applications of non-renewable biomass' } })).status).toBe('RECORDED');
    expect((await run(ghanaAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: withExtra({ methodology: 'AMS-II.G' }), quantity: 10n })).status).toBe('RECORDED');
    const stored = await test.db.unitSeries.findUnique({ where: { id: seriesIdOf(withExtra({})) } });
    expect(stored?.extra).toBe('{"methodology":"AMS-II.G"}');
  });

  it('checks sectors once the sector nomenclature exists', async () => {
    expect((await run(registryAdmin, { kind: 'DEFINE_REFERENCE', reference: { type: 'NOMENCLATURE_ENTRY', nomenclature: 'sector', id: 'energy', name: 'Energy' } })).status).toBe('RECORDED');
    expect(codes(await run(ghanaAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: { ...local, activityId: 'GHA-SEC', sectors: ['agriculture'] }, quantity: 10n }))).toEqual([4003]);
    expect((await run(ghanaAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: { ...local, activityId: 'GHA-SEC', sectors: ['energy'] }, quantity: 10n })).status).toBe('RECORDED');
  });
});

describe('notification (A6R-47)', () => {
  it('is told of each outcome after it is committed, and its failure changes nothing', async () => {
    const told: string[] = [];
    const notifying: LedgerContext = { ...ctx, notify: (proposal, outcome) => { told.push(`${proposal.kind}:${outcome.status}`); throw new Error('mail server down'); } };
    const outcome = await execute(notifying, ghanaAdmin, { kind: 'TRANSFER', idempotencyKey: 'notify-1', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 1n, constraints: {} } });
    expect(outcome.status).toBe('RECORDED');
    expect(told).toEqual(['TRANSFER:RECORDED']);
    // A repeat answers from the record and does not notify again.
    await execute(notifying, ghanaAdmin, { kind: 'TRANSFER', idempotencyKey: 'notify-1', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 1n, constraints: {} } });
    expect(told).toHaveLength(1);
  });
});

describe('series identity', () => {
  it('refuses units of an existing series with different further attributes', async () => {
    const outcome = await run(ghanaAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: { ...local, metric: 'tCH4' }, quantity: 5n });
    expect(outcome.status === 'REJECTED' && outcome.refusals.map((r) => [r.code, r.judged.field])).toEqual([[4005, 'metric']]);
  });
});

describe('bad input is refused, never thrown', () => {
  it('refuses a series naming an unknown cooperative approach (4003) and creates nothing', async () => {
    const outcome = await run(ghanaAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: { ...local, cooperativeApproachId: 'CA-404' }, quantity: 5n });
    expect(codes(outcome)).toEqual([4003]);
    expect(outcome.status === 'REJECTED' && outcome.refusals[0]?.judged).toMatchObject({ field: 'cooperativeApproachId', value: 'CA-404' });
    expect(await test.db.unitSeries.count({ where: { cooperativeApproachId: 'CA-404' } })).toBe(0);
  });

  it('refuses a fractional vintage in a series (4003) and in a constraint (no matching units, 4002)', async () => {
    expect(codes(await run(ghanaAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: { ...local, vintage: 2022.5 }, quantity: 5n }))).toEqual([4003]);
    expect(codes(await run(ghanaAdmin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 1n, constraints: { vintage: 2024.5 } } }))).toEqual([4002]);
  });

  it('refuses statuses, types and registries that do not exist', async () => {
    expect(codes(await run(registryAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-200', status: 'DORMANT' as never }))).toEqual([2009]);
    const bad = account('GHA-901', 'HOLDING', 'GHA');
    expect(codes(await run(registryAdmin, { ...bad, account: { ...bad.account, type: 'PIGGY_BANK' as never } }))).toEqual([2008]);
    expect(codes(await run(registryAdmin, { ...bad, account: { ...bad.account, registry: 'LUNAR' as never } }))).toEqual([2008]);
    expect(await test.db.account.count({ where: { id: 'GHA-901' } })).toBe(0);
  });
});

describe('one-way movement and final statuses', () => {
  it('never moves units from the international registry back into a mechanism account (3003)', async () => {
    const mechanism = { kind: 'OPEN_ACCOUNT', account: { id: 'MR-HLD-1', registry: 'MECHANISM', name: 'Mechanism holding', type: 'HOLDING', holderName: 'Holder', sectionId: null, cooperativeApproachId: null } } as const;
    expect((await run(registryAdmin, mechanism)).status).toBe('RECORDED');
    expect((await run(registryAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'MR-HLD-1', status: 'ACTIVE' })).status).toBe('RECORDED');
    expect(codes(await run(ghanaAdmin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'MR-HLD-1', selection: { mode: 'implicit', quantity: 1n, constraints: {} } }))).toEqual([3003]);
  });

  it('terminates an account that could still move units only once it holds none', async () => {
    expect((await run(ghanaAdmin, account('GHA-300', 'HOLDING', 'GHA'))).status).toBe('RECORDED');
    expect((await run(ghanaAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-300', status: 'ACTIVE' })).status).toBe('RECORDED');
    const funded = await run(ghanaAdmin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-300', selection: { mode: 'implicit', quantity: 2n, constraints: {} } });
    expect(funded.status === 'REJECTED' ? funded.refusals : funded.status).toBe('RECORDED');
    const refused = await run(ghanaAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-300', status: 'TERMINATED' });
    expect(codes(refused)).toEqual([2009]);
    expect(refused.status === 'REJECTED' && refused.refusals[0]?.judged.reason).toBe('the account holds units');
    expect((await run(ghanaAdmin, { kind: 'TRANSFER', fromAccountId: 'GHA-300', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 2n, constraints: {} } })).status).toBe('RECORDED');
    expect((await run(ghanaAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-300', status: 'TERMINATED' })).status).toBe('RECORDED');
  });
});

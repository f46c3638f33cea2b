import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { seriesIdOf } from '../operations/issue-units';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from '../types';
import { execute } from '../write-path';
import { partySeries, serialPartsOf } from './party-series';

/** The series an authorization of serial ranges chooses from (A6R-45), printed as human-readable serials. */

let test: TestDatabase;
let ctx: LedgerContext;
let n = 0;
let clock = Date.parse('2026-11-22T08:00:00.000Z');
const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const itmo = (hostParty: string, vintage: number): SeriesAttributes => ({ unitType: 'ITMO', cooperativeApproachId: 'CA0001', originatingRegistry: 'IR', hostParty, firstTransferringParty: hostParty, activityId: `${hostParty}-1`, vintage, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false });

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
async function recorded(proposal: Unkeyed<Proposal>): Promise<void> {
  const outcome: Outcome = await execute(ctx, admin, { ...proposal, idempotencyKey: `p-${n++}` } as Proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED, got ${JSON.stringify(outcome.refusals)}`);
}

beforeAll(async () => {
  test = await createTestDatabase('ledger_party_series');
  ctx = test.ledger({ now: () => new Date(clock++) });
  await recorded({ kind: 'DEFINE_REFERENCE', reference: { type: 'COOPERATIVE_APPROACH', id: 'CA0001', name: 'CA' } });
  for (const id of ['GHA', 'CHE']) await recorded({ kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id, name: id } });
  for (const [id, type, sectionId] of [['GHA-100', 'ISSUANCE', 'GHA'], ['GHA-200', 'HOLDING', 'GHA'], ['CHE-100', 'ISSUANCE', 'CHE']] as const) {
    await recorded({ kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'H', sectionId, cooperativeApproachId: null } });
    await recorded({ kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  }
  await recorded({ kind: 'ISSUANCE', accountId: 'GHA-100', series: itmo('GHA', 2022), quantity: 500n });
  await recorded({ kind: 'ISSUANCE', accountId: 'GHA-100', series: itmo('GHA', 2021), quantity: 300n });
  await recorded({ kind: 'ISSUANCE', accountId: 'CHE-100', series: itmo('CHE', 2021), quantity: 100n });
  await recorded({ kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'explicit', seriesId: seriesIdOf(itmo('GHA', 2021)), firstSerial: 101n, lastSerial: 150n } });
});

afterAll(async () => {
  await test?.drop();
});

describe('the series a Party authorizes serial ranges of', () => {
  it('lists only the Party\'s series, by vintage, with the span held here across accounts', async () => {
    const found = await partySeries(ctx.pool, 'GHA');
    expect(found.map((s) => [s.vintage, s.firstSerial, s.lastSerial, s.units, s.span])).toEqual([
      [2021, 1n, 300n, 300n, 'CA0001-IR-GHA-1-2021–CA0001-IR-GHA-300-2021'],
      [2022, 1n, 500n, 500n, 'CA0001-IR-GHA-1-2022–CA0001-IR-GHA-500-2022'],
    ]);
    expect(await partySeries(ctx.pool, 'KEN')).toEqual([]);
  });

  it('gives the parts of human-readable serials of the series an authorization names', async () => {
    const id = seriesIdOf(itmo('CHE', 2021));
    expect(await serialPartsOf(ctx.pool, [id, id, 'no-such-series'])).toEqual({ [id]: { cooperativeApproachId: 'CA0001', originatingRegistry: 'IR', firstTransferringParty: 'CHE', vintage: 2021 } });
    expect(await serialPartsOf(ctx.pool, [])).toEqual({});
  });
});

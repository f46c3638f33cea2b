import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { checkInvariants, describeViolations } from '../invariants';
import { seriesIdOf } from '../operations/issue-units';
import { replayLog, Replayer, type LoggedPayload } from '../replay';
import { liveStateAt, stateHash } from '../state';
import type { Actor, LedgerContext, Outcome, Proposal, RecordAuthorizationProposal, SeriesAttributes } from '../types';
import { describeDisagreement, verifyLedger } from '../verify';
import { execute } from '../write-path';
import { earliestApplicability } from './coverage';
import { testClockStart } from '../../testing/test-clock';

/**
 * Descriptor records (A6R-45) against PostgreSQL: authorizations and their refusals in order, their
 * applicability date, the rules that read them, first-transfer markers, supersession, and replay.
 */

let test: TestDatabase;
let ctx: LedgerContext & { publicKeyPem: string };
let n = 0;
const START = testClockStart('2026-11-22T08:00:00.000Z');
let clock = START;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const ghanaAdmin: Actor = { userId: 'gha', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };
const kenyaAdmin: Actor = { userId: 'ken', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'KEN', accountId: null }] };
const ghana = (vintage: number): SeriesAttributes => ({ unitType: 'ITMO', cooperativeApproachId: 'CA1', originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-1', vintage, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false });
const s2024 = seriesIdOf(ghana(2024));

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
const run = (actor: Actor, proposal: Unkeyed<Proposal>): Promise<Outcome> => execute(ctx, actor, { ...proposal, idempotencyKey: `d-${n++}` } as Proposal);
async function recorded(actor: Actor, proposal: Unkeyed<Proposal>): Promise<string> {
  const outcome = await run(actor, proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED, got ${JSON.stringify(outcome.refusals)}`);
  return outcome.transactionId;
}
const codes = (outcome: Outcome): number[] => (outcome.status === 'REJECTED' ? outcome.refusals.map((r) => r.code) : []);
const explicit = (from: string, to: string, first: bigint, last: bigint, seriesId = s2024) => ({ kind: 'TRANSFER', fromAccountId: from, toAccountId: to, selection: { mode: 'explicit', seriesId, firstSerial: first, lastSerial: last } }) as const;
const authorize = (over: Partial<Unkeyed<RecordAuthorizationProposal>> = {}): Unkeyed<RecordAuthorizationProposal> => ({
  kind: 'RECORD_AUTHORIZATION',
  party: 'GHA',
  uses: 'NDC',
  units: { mode: 'ranges', ranges: [{ seriesId: s2024, firstSerial: 1n, lastSerial: 100n }] },
  oimpFirstTransfer: null,
  applicableFrom: null,
  supersedes: null,
  ...over,
});
const markers = () => test.db.administrativeRecord.findMany({ where: { kind: 'FIRST_TRANSFER_MARKER' }, orderBy: { createdAt: 'asc' } });

beforeAll(async () => {
  test = await createTestDatabase('ledger_descriptors');
  ctx = test.ledger({ now: () => new Date(clock++) });
  for (const [type, id] of [['SECTION', 'GHA'], ['SECTION', 'KEN'], ['COOPERATIVE_APPROACH', 'CA1']] as const) await recorded(admin, { kind: 'DEFINE_REFERENCE', reference: { type, id, name: id } });
  const open = async (id: string, type: 'ISSUANCE' | 'HOLDING' | 'USE' | 'PROXY' | 'CANCELLATION', sectionId: string | null) => {
    await recorded(admin, { kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'H', sectionId, cooperativeApproachId: null } });
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  };
  await open('GHA-100', 'ISSUANCE', 'GHA');
  await open('GHA-200', 'HOLDING', 'GHA');
  await open('GHA-USE', 'USE', 'GHA');
  await open('GHA-CAN', 'CANCELLATION', 'GHA');
  await open('KEN-200', 'HOLDING', 'KEN');
  await open('PROXY-1', 'PROXY', null);
  await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: ghana(2024), quantity: 1_000n });
  await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: ghana(2030), quantity: 100n });
  await recorded(admin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 1_000n, constraints: { vintage: 2024 } } });
  for (const rule of ['use-authorized-units', 'authorized-export'] as const) await recorded(admin, { kind: 'CONFIGURE_RULE', rule, scope: { type: 'REGISTRY' }, enabled: true, settings: {} });
  await recorded(ghanaAdmin, { kind: 'CONFIGURE_RULE', rule: 'retirement-vintage', scope: { type: 'ACCOUNT', id: 'GHA-USE' }, enabled: true, settings: { firstVintage: 2021, lastVintage: 2025 } });
});

afterAll(async () => {
  await test?.drop();
});

describe('authorizations (A6R-45)', () => {
  it('applies by default from 00:00 UTC of the next day, and at least 12 hours after creation', () => {
    expect(earliestApplicability(new Date('2026-11-22T08:00:00.000Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(earliestApplicability(new Date('2026-11-22T15:30:00.000Z')).toISOString()).toBe('2026-11-23T03:30:00.000Z');
    expect(earliestApplicability(new Date('2026-11-22T00:00:00.000Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  const cases: [string, Actor, () => Unkeyed<Proposal>, number[]][] = [
    ["another Party's section administrator", kenyaAdmin, () => authorize(), [2021]],
    ['a use that does not exist', ghanaAdmin, () => authorize({ uses: 'ALL' as 'NDC' }), [2022]],
    ['OIMP without its first transfer', ghanaAdmin, () => authorize({ uses: 'OIMP' }), [2022]],
    ['a first transfer for NDC use only', ghanaAdmin, () => authorize({ oimpFirstTransfer: 'USE_OR_CANCELLATION' }), [2022]],
    ['an applicability date too early', ghanaAdmin, () => authorize({ applicableFrom: new Date(clock + HOUR) }), [2022]],
    ['withdrawing nothing', ghanaAdmin, () => authorize({ uses: 'NONE' }), [2022]],
    ['an unknown condition', ghanaAdmin, () => authorize({ units: { mode: 'conditions', conditions: { colour: 'green' } as never } }), [2022]],
    ['units of another Party', kenyaAdmin, () => authorize({ party: 'KEN' }), [2022]],
    ['units that do not exist', ghanaAdmin, () => authorize({ units: { mode: 'ranges', ranges: [{ seriesId: s2024, firstSerial: 900n, lastSerial: 1_100n }] } }), [4007]],
  ];
  it.each(cases)('refuses %s', async (_name, actor, proposal, expected) => {
    expect(codes(await run(actor, proposal()))).toEqual(expected);
  });

  it('keeps units out of a use account until an NDC authorization applies (6003), then lets them in', async () => {
    expect(codes(await run(admin, explicit('GHA-200', 'GHA-USE', 1n, 10n)))).toEqual([6003]);
    const id = await recorded(ghanaAdmin, authorize());
    const record = await test.db.administrativeRecord.findUniqueOrThrow({ where: { id: `${id}/0` } });
    expect(record.validFrom?.toISOString()).toBe(new Date(START + 1 * DAY - 8 * HOUR).toISOString()); // the next midnight
    expect(codes(await run(admin, explicit('GHA-200', 'GHA-USE', 1n, 10n)))).toEqual([6003]);
    clock = START + 1 * DAY - 8 * HOUR; // 2026-11-23 on the unmoved clock
    await recorded(admin, explicit('GHA-200', 'GHA-USE', 1n, 10n));
    // Only the authorized serials: 101 is not.
    expect(codes(await run(admin, explicit('GHA-200', 'GHA-USE', 95n, 101n)))).toEqual([6003]);
  });

  it('refuses units of a vintage outside the NDC period of the retirement account (6004)', async () => {
    await recorded(ghanaAdmin, authorize({ units: { mode: 'conditions', conditions: { vintageFrom: 2030 } } }));
    clock = START + 2 * DAY - 8 * HOUR; // 2026-11-24 on the unmoved clock
    const refused = await run(admin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-USE', selection: { mode: 'implicit', quantity: 5n, constraints: { vintage: 2030 } } });
    expect(codes(refused)).toEqual([6004]);
  });

  it('lets only authorized units leave for another registry (6005), marking their first international transfer', async () => {
    const out = (first: bigint, last: bigint) => ({ kind: 'EXTERNAL_TRANSFER', fromAccountId: 'GHA-200', destination: { registryId: 'XR', accountId: 'X-1' }, selection: { mode: 'explicit', seriesId: s2024, firstSerial: first, lastSerial: last } }) as const;
    expect(codes(await run(admin, out(500n, 510n)))).toEqual([6005]);
    const id = await recorded(admin, out(20n, 29n));
    const marks = await markers();
    expect(marks.map((m) => ({ subject: m.subject, scopeId: m.scopeId, body: JSON.parse(m.body) as unknown, transactionId: m.transactionId }))).toEqual([
      { subject: 'NDC', scopeId: s2024, body: { authorization: expect.any(String), event: 'INTERNATIONAL_TRANSFER', firstSerial: '20', lastSerial: '29' }, transactionId: id },
    ]);
  });

  it('marks a transfer between the sections of two Parties once, only the units not marked before', async () => {
    const first = await recorded(admin, explicit('GHA-200', 'KEN-200', 30n, 39n));
    await recorded(admin, explicit('KEN-200', 'GHA-200', 30n, 39n));
    const again = await recorded(admin, explicit('GHA-200', 'KEN-200', 30n, 39n));
    const next = await recorded(admin, explicit('GHA-200', 'KEN-200', 40n, 49n));
    const marks = await markers();
    const of = (id: string) => marks.filter((m) => m.transactionId === id).map((m) => [JSON.parse(m.body).firstSerial, JSON.parse(m.body).lastSerial]);
    expect(of(first)).toEqual([['30', '39']]);
    expect(of(again)).toEqual([]);
    expect(of(next)).toEqual([['40', '49']]);
  });

  it('marks OIMP first transfers at authorization, at issuance, or at use or cancellation, as the Party specified', async () => {
    const atAuthorization = await recorded(ghanaAdmin, authorize({ uses: 'OIMP', oimpFirstTransfer: 'AUTHORIZATION', units: { mode: 'ranges', ranges: [{ seriesId: s2024, firstSerial: 200n, lastSerial: 209n }] } }));
    expect((await markers()).filter((m) => m.transactionId === atAuthorization).map((m) => JSON.parse(m.body))).toEqual([{ authorization: null, event: 'AUTHORIZATION', firstSerial: '200', lastSerial: '209' }]);
    await recorded(ghanaAdmin, authorize({ uses: 'OIMP', oimpFirstTransfer: 'ISSUANCE', units: { mode: 'conditions', conditions: { activityId: 'GHA-1', vintageFrom: 2031 } } }));
    await recorded(ghanaAdmin, authorize({ uses: 'OIMP', oimpFirstTransfer: 'USE_OR_CANCELLATION', units: { mode: 'ranges', ranges: [{ seriesId: s2024, firstSerial: 300n, lastSerial: 309n }] } }));
    clock = START + 3 * DAY - 8 * HOUR; // 2026-11-25 on the unmoved clock
    const issued = await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: ghana(2031), quantity: 50n });
    expect((await markers()).filter((m) => m.transactionId === issued).map((m) => [m.subject, JSON.parse(m.body).event, JSON.parse(m.body).lastSerial])).toEqual([['OIMP', 'ISSUANCE', '50']]);
    const cancelled = await recorded(admin, explicit('GHA-200', 'GHA-CAN', 300n, 304n));
    expect((await markers()).filter((m) => m.transactionId === cancelled).map((m) => [m.subject, JSON.parse(m.body).event, JSON.parse(m.body).firstSerial, JSON.parse(m.body).lastSerial])).toEqual([['OIMP', 'USE_OR_CANCELLATION', '300', '304']]);
  });

  it('re-issues a marker only for units not transferred to another registry since, unless reversed', async () => {
    const reissue = (first: bigint, last: bigint, over: Partial<{ party: string; reason: string; seriesId: string }> = {}) =>
      ({ kind: 'REISSUE_MARKER', party: over.party ?? 'GHA', use: 'NDC', ranges: [{ seriesId: over.seriesId ?? s2024, firstSerial: first, lastSerial: last }], reason: over.reason ?? 'marker lost in transmission' }) as const;
    const walked: number[] = [];
    for (const [actor, proposal] of [
      [kenyaAdmin, reissue(30n, 39n)],
      [ghanaAdmin, reissue(30n, 39n, { reason: ' ' })],
      [ghanaAdmin, reissue(30n, 39n, { seriesId: 'S-unknown' })],
      [ghanaAdmin, reissue(500n, 510n)],
      [ghanaAdmin, reissue(20n, 29n)],
    ] as const) {
      walked.push(...codes(await run(actor, proposal)));
    }
    // 2021 not the Party's; 2022 no reason; 4007 not the Party's units; 4008 never marked; 4008 exported since.
    expect(walked).toEqual([2021, 2022, 4007, 4008, 4008]);
    const reissued = await recorded(ghanaAdmin, reissue(30n, 39n));
    expect((await markers()).filter((m) => m.transactionId === reissued).map((m) => JSON.parse(m.body).event)).toEqual(['REISSUE']);
    // Once the transfer to the other registry is reversed, its units may have their marker re-issued.
    const exported = await test.db.ledgerTransaction.findFirstOrThrow({ where: { kind: 'EXTERNAL_TRANSFER', status: 'RECORDED' } });
    await recorded(admin, { kind: 'CORRECTIVE_TRANSFER', action: 'REVERSE', correctsTransactionId: exported.id, reason: 'never accepted by the other registry' });
    await recorded(ghanaAdmin, reissue(20n, 29n));
  });

  it('is never recalled: a newer record supersedes it from its own date', async () => {
    const first = await test.db.administrativeRecord.findFirstOrThrow({ where: { kind: 'AUTHORIZATION', body: { contains: '"firstSerial":"1","lastSerial":"100"' } } });
    expect(codes(await run(kenyaAdmin, authorize({ uses: 'NONE', supersedes: first.id, party: 'KEN', units: { mode: 'conditions', conditions: {} } })))).toEqual([2022]);
    await recorded(ghanaAdmin, authorize({ uses: 'NONE', supersedes: first.id }));
    await recorded(admin, explicit('GHA-200', 'GHA-USE', 50n, 51n));
    clock = START + 4 * DAY - 8 * HOUR; // 2026-11-26 on the unmoved clock
    expect(codes(await run(admin, explicit('GHA-200', 'GHA-USE', 52n, 53n)))).toEqual([6003]);
  });

  it('replays to the live state; verify finds nothing; invariants hold', async () => {
    const replayed = await replayLog(ctx.pool);
    expect(stateHash(replayed.state)).toBe(stateHash(await liveStateAt(ctx.pool, new Date('2100-01-01T00:00:00.000Z'))));
    const report = await verifyLedger(ctx.pool, ctx.publicKeyPem);
    expect(report.disagreement && describeDisagreement(report.disagreement)).toBeNull();
    expect(describeViolations(await checkInvariants(ctx.pool))).toBe(describeViolations([]));
  });

  it('replay judges the markers again: one that does not follow from the authorizations stops it', async () => {
    const entries = await ctx.pool.query<{ seq: bigint; chain: number; payload: string }>('SELECT seq, chain, payload FROM "LogEntry" ORDER BY seq');
    const target = entries.rows.find((e) => e.payload.includes('"event":"INTERNATIONAL_TRANSFER"'));
    if (!target) throw new Error('no entry with a first-transfer marker');
    const replay = (payloadOf: (e: { seq: bigint; payload: string }) => string) => {
      const replayer = new Replayer();
      for (const e of entries.rows) {
        const text = payloadOf(e);
        replayer.apply(e.seq, e.chain, text, JSON.parse(text) as LoggedPayload);
      }
    };
    expect(() => replay((e) => e.payload)).not.toThrow();
    // The same entry without its marker, as if the rule had not run: replay says what it should have made.
    const unmarked = (e: { seq: bigint; payload: string }) => (e.seq === target.seq ? e.payload.replace(/,\{"body":\{"authorization":"[^"]*","event":"INTERNATIONAL_TRANSFER"[^}]*\},"kind":"FIRST_TRANSFER_MARKER"[^}]*\}/, '') : e.payload);
    expect(unmarked(target)).not.toBe(target.payload);
    expect(() => replay(unmarked)).toThrow(/first-transfer: the entry records markers none, version 1 makes NDC/);
  });
});

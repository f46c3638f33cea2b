import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { testClockStart } from '../../testing/test-clock';
import { CHECKS } from '../check-codes';
import { seriesIdOf } from './issue-units';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes, UnitConstraints } from '../types';
import { execute } from '../write-path';

/**
 * A selection's constraints reach SQL as bound parameters, never as text in the statement: whatever a
 * constraint says (quotes, backslashes, comment markers, statement separators, any script), it is
 * compared as a value, so it matches the series that have exactly that attribute and nothing else,
 * and never breaks the statement.
 */

let test: TestDatabase;
let ledger: LedgerContext;
let clock = testClockStart('2026-11-22T08:00:00.000Z');
let n = 0;
const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: "GHA-1 'quoted' \\ -- ;", vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
const propose = (proposal: Unkeyed<Proposal>): Promise<Outcome> => execute(ledger, admin, { ...proposal, idempotencyKey: `s-${n++}` } as Proposal);
const codes = (outcome: Outcome) => (outcome.status === 'REJECTED' ? outcome.refusals.map((r) => r.code) : []);
const transfer = (constraints: UnitConstraints) => propose({ kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 1n, constraints } });

beforeAll(async () => {
  test = await createTestDatabase('select_units');
  ledger = test.ledger({ now: () => new Date(clock++) });
  await propose({ kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } });
  for (const [id, type] of [['GHA-100', 'ISSUANCE'], ['GHA-200', 'HOLDING']] as const) {
    await propose({ kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'H', sectionId: 'GHA', cooperativeApproachId: null } });
    await propose({ kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  }
  await propose({ kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 1_000n });
});

afterAll(async () => {
  await test?.drop();
});

describe('selection constraints as bound parameters', () => {
  it('match a series whose attribute holds quotes, backslashes and comment markers, exactly', async () => {
    expect((await transfer({ activityId: series.activityId })).status).toBe('RECORDED');
    expect(codes(await transfer({ activityId: "GHA-1 'quoted' \\ --" }))).toEqual([CHECKS.NO_MATCHING_UNITS.code]);
  });

  it('compare any text as a value: it selects nothing unless it is the attribute, and never breaks the statement (property)', async () => {
    // PostgreSQL text cannot hold U+0000; the API refuses control characters before the ledger sees them.
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\u0000'));
    const hostile = fc.constantFrom("'", "''", "\\'", "'; DROP TABLE \"UnitBlock\"; --", '$1', '$$', '/*', "E'\\x00'", '"', "' OR '1'='1");
    await fc.assert(
      fc.asyncProperty(fc.oneof(text, hostile), fc.constantFrom('activityId', 'hostParty', 'unitType', 'seriesId', 'cooperativeApproachId'), async (value, field) => {
        const outcome = await transfer({ [field]: value });
        const attribute = field === 'seriesId' ? null : (series as unknown as Record<string, unknown>)[field];
        if (value === attribute) expect(outcome.status).toBe('RECORDED');
        else expect(codes(outcome)).toEqual([CHECKS.NO_MATCHING_UNITS.code]);
      }),
      { numRuns: 60 },
    );
    // Every refusal above changed nothing: the blocks still add up to what was issued.
    const { rows } = await ledger.pool.query<{ units: string }>(`SELECT sum("lastSerial" - "firstSerial" + 1)::text AS units FROM "UnitBlock" WHERE "closedByTxId" IS NULL`);
    expect(rows[0]?.units).toBe('1000');
  });
});

describe('selection constraints as bound parameters: values beyond a column, and further pages', () => {
  it('matches nothing for a whole-number vintage beyond the integer column (4002), as its literal did, and throws nothing', async () => {
    for (const vintage of [2 ** 31, -(2 ** 31) - 1, 2 ** 40, Number.MAX_SAFE_INTEGER]) expect(codes(await transfer({ vintage }))).toEqual([CHECKS.NO_MATCHING_UNITS.code]);
  });

  it('binds the same values on the further pages of a constrained selection as on its first read', async () => {
    // One-unit blocks that never merge (every second serial), more than a first read's page of them.
    const fragmented: SeriesAttributes = { ...series, activityId: `${series.activityId} 2`, vintage: 2023 };
    await propose({ kind: 'OPEN_ACCOUNT', account: { id: 'GHA-300', registry: 'INTERNATIONAL', name: 'GHA-300', type: 'HOLDING', holderName: 'H', sectionId: 'GHA', cooperativeApproachId: null } });
    await propose({ kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-300', status: 'ACTIVE' });
    expect((await propose({ kind: 'ISSUANCE', accountId: 'GHA-100', series: fragmented, quantity: 40n })).status).toBe('RECORDED');
    const seriesId = seriesIdOf(fragmented);
    for (let serial = 1n; serial < 40n; serial += 2n) {
      expect((await propose({ kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-300', selection: { mode: 'explicit', seriesId, firstSerial: serial, lastSerial: serial } })).status).toBe('RECORDED');
    }
    const moved = await propose({ kind: 'TRANSFER', fromAccountId: 'GHA-300', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 18n, constraints: { activityId: fragmented.activityId, vintage: 2023, hostParty: 'GHA' } } });
    expect(moved).toMatchObject({ status: 'RECORDED', quantity: 18n });
    const { rows } = await ledger.pool.query<{ blocks: string }>(`SELECT count(*)::text AS blocks FROM "UnitBlock" WHERE "accountId" = 'GHA-200' AND "seriesId" = $1 AND "closedByTxId" IS NULL AND "firstSerial" = "lastSerial"`, [seriesId]);
    expect(rows[0]?.blocks).toBe('18');
  });
});

import { describe, expect, it } from 'vitest';
import type { Actor } from '../types';
import { divert } from './divert';
import { judge } from './engine';
import { governingSettings } from './records';
import { shareOfProceedsV1 } from './share-of-proceeds/v1';
import { transferFeeV1 } from './transfer-fee/v1';
import { transferFeeV2 } from './transfer-fee/v2';
import { authorizedExportV1 } from './authorized-export/v1';
import { fourEyesV1 } from './four-eyes/v1';
import { omgeCancellationV1 } from './omge-cancellation/v1';
import { retirementVintageV1 } from './retirement-vintage/v1';
import { transferLimitV1 } from './transfer-limit/v1';
import { useAuthorizedUnitsV1 } from './use-authorized-units/v1';
import type { PluggableRuleVersion, RuleAccount, RuleContext } from './types';
import { NO_CHANGES } from '../plan';

/** Each published version alone: its settings' problems in order, and its rulings. Pure, no database. */

const actor: Actor = { userId: 'u', impersonatorId: null, grants: [] };
const holding = (id: string, sectionId: string | null = 'GHA'): RuleAccount => ({ id, type: 'HOLDING', sectionId, cooperativeApproachId: 'CA1' });
const context = (quantity: bigint, at = '2026-06-01T00:00:00.000Z'): RuleContext => ({ kind: 'TRANSFER', at, actor, from: holding('A-1'), to: holding('B-1'), quantity, units: [], authorizations: [] });

function problems<S>(rule: PluggableRuleVersion<S>, inputs: Parameters<PluggableRuleVersion['parseSettings']>[0][]): string[] {
  return inputs.map((input) => {
    const parsed = rule.parseSettings(input);
    return parsed.ok ? 'ok' : parsed.problem;
  });
}

describe('transfer-limit v1', () => {
  it('names what is wrong with its settings, field by field', () => {
    expect(problems(transferLimitV1, [{}, { maximum: 5 }, { maximum: '0' }, { maximum: '10', extra: true }, { maximum: '10' }])).toEqual([
      'maximum must be a positive whole number of units, written as a decimal string',
      'maximum must be a positive whole number of units, written as a decimal string',
      'maximum must be a positive whole number of units, written as a decimal string',
      'unknown setting extra',
      'ok',
    ]);
  });

  it.each([
    [99n, []],
    [100n, []],
    [101n, [6001]],
  ])('judges %s units against a maximum of 100: %j', (quantity, codes) => {
    const verdict = transferLimitV1.evaluate(context(quantity), { maximum: 100n });
    expect(verdict.refusals.map((r) => r.code)).toEqual(codes);
    expect(verdict.diversions).toEqual([]);
  });
});

describe('transfer-fee v1 and v2', () => {
  const settings = { accountId: 'FEE-1', basisPoints: 100n };
  it('validate the same settings', () => {
    const inputs = [{ accountId: 'fee', basisPoints: 100 }, { accountId: 'FEE-1', basisPoints: 0 }, { accountId: 'FEE-1', basisPoints: 5001 }, { accountId: 'FEE-1', basisPoints: 100 }];
    const expected = ['accountId must be an account number', 'basisPoints must be a whole number of basis points from 1 to 5000', 'basisPoints must be a whole number of basis points from 1 to 5000', 'ok'];
    expect(problems(transferFeeV1, inputs)).toEqual(expected);
    expect(problems(transferFeeV2, inputs)).toEqual(expected);
  });

  it.each([
    [1n, 0n, 0n],
    [99n, 0n, 1n],
    [100n, 1n, 1n],
    [150n, 1n, 2n],
    [1_000n, 10n, 10n],
  ])('of %s units: v1 takes %s, v2 takes %s', (quantity, v1, v2) => {
    const of = (rule: typeof transferFeeV1) => rule.evaluate(context(quantity), settings).diversions.reduce((sum, d) => sum + d.quantity, 0n);
    expect(of(transferFeeV1)).toBe(v1);
    expect(of(transferFeeV2)).toBe(v2);
  });

  it('v2 never takes the whole transfer', () => {
    expect(transferFeeV2.evaluate(context(1n), { accountId: 'FEE-1', basisPoints: 5000n }).diversions).toEqual([]);
    expect(transferFeeV2.evaluate(context(2n), { accountId: 'FEE-1', basisPoints: 5000n }).diversions).toEqual([{ accountId: 'FEE-1', quantity: 1n }]);
  });
});

describe('share-of-proceeds v1', () => {
  it('sends 5 % of an issuance, rounded down', () => {
    const issuance: RuleContext = { ...context(1_999n), kind: 'ISSUANCE', from: null };
    expect(shareOfProceedsV1.evaluate(issuance, { accountId: 'AF-1', basisPoints: 500n }).diversions).toEqual([{ accountId: 'AF-1', quantity: 99n }]);
    expect(problems(shareOfProceedsV1, [{ basisPoints: 500 }, { accountId: 'AF-1' }])).toEqual(['accountId must be an account number', 'basisPoints must be a whole number of basis points from 1 to 5000']);
  });
});

describe('governing settings', () => {
  const setting = (id: string, scopeType: string, scopeId: string, revision: number, enabled = true, maximum = '10') => ({ id, kind: 'RULE_SETTING' as const, subject: 'transfer-limit', scopeType: scopeType as 'REGISTRY', scopeId, body: JSON.stringify({ enabled, revision, settings: enabled ? { maximum } : {} }) });
  const accounts = [holding('A-1', 'GHA'), holding('B-1', 'KEN')];

  it('prefer the latest revision, then the most specific scope, then the transferring side', () => {
    expect(governingSettings([setting('r1', 'REGISTRY', '', 1), setting('r2', 'REGISTRY', '', 2, true, '20')], accounts).map((s) => s.recordId)).toEqual(['r2']);
    expect(governingSettings([setting('r', 'REGISTRY', '', 1), setting('s', 'SECTION', 'KEN', 1)], accounts).map((s) => s.recordId)).toEqual(['s']);
    expect(governingSettings([setting('s', 'SECTION', 'KEN', 1), setting('t', 'SECTION', 'GHA', 1)], accounts).map((s) => s.recordId)).toEqual(['t']);
    expect(governingSettings([setting('s', 'SECTION', 'GHA', 1), setting('a', 'ACCOUNT', 'B-1', 1)], accounts).map((s) => s.recordId)).toEqual(['a']);
    expect(governingSettings([setting('x', 'SECTION', 'CHE', 1)], accounts)).toEqual([]);
  });

  it('let a disabled setting in a narrower scope exempt the transaction', () => {
    expect(governingSettings([setting('r', 'REGISTRY', '', 1), setting('off', 'ACCOUNT', 'A-1', 1, false)], accounts)).toEqual([]);
  });

  it('judge by the version in force, skipping suspended rules and logging the suspension', () => {
    const records = [setting('r', 'REGISTRY', '', 1)];
    expect(judge(context(11n), records).refusals.map((r) => r.code)).toEqual([6001]);
    expect(judge(context(11n), records).ruleVersions['transfer-limit']).toBe(1);
    const suspended = judge(context(11n), [...records, { id: 'susp', kind: 'RULE_SUSPENSION', subject: 'transfer-limit', scopeType: 'ACCOUNT', scopeId: 'B-1', body: '{}' }]);
    expect(suspended.refusals).toEqual([]);
    expect(suspended.ruleVersions['transfer-limit']).toBeUndefined();
    expect(suspended.operations).toEqual([{ op: 'rule-suspended', rule: 'transfer-limit', version: 1, suspension: 'susp' }]);
  });
});

describe('divert', () => {
  it('takes the highest serials of the arriving blocks and leaves everything else', () => {
    const changes = {
      ...NO_CHANGES,
      create: [
        { seriesId: 'S1', firstSerial: 1n, lastSerial: 5n, accountId: 'B-1' },
        { seriesId: 'S2', firstSerial: 10n, lastSerial: 12n, accountId: 'B-1' },
        { seriesId: 'S2', firstSerial: 13n, lastSerial: 20n, accountId: 'A-1' },
      ],
    };
    expect(divert(changes, 'B-1', [{ accountId: 'FEE-1', quantity: 4n }]).create).toEqual([
      { seriesId: 'S1', firstSerial: 1n, lastSerial: 4n, accountId: 'B-1' },
      { seriesId: 'S2', firstSerial: 10n, lastSerial: 12n, accountId: 'FEE-1' },
      { seriesId: 'S1', firstSerial: 5n, lastSerial: 5n, accountId: 'FEE-1' },
      { seriesId: 'S2', firstSerial: 13n, lastSerial: 20n, accountId: 'A-1' },
    ]);
    expect(() => divert(changes, 'B-1', [{ accountId: 'FEE-1', quantity: 9n }])).toThrow(/only 8 arrive/);
  });
});

describe('rules that read descriptor records', () => {
  const series = (vintage: number, hostParty = 'GHA') => ({ unitType: 'ITMO', cooperativeApproachId: 'CA1', hostParty, activityId: 'GHA-1', vintage });
  const units = [{ seriesId: 'S1', firstSerial: 1n, lastSerial: 10n, series: series(2024) }];
  const use: RuleAccount = { id: 'USE-1', type: 'USE', sectionId: 'GHA', cooperativeApproachId: null };
  const authorization = (uses: 'NDC' | 'OIMP' | 'BOTH' | 'NONE', first: bigint, last: bigint) => ({ id: `a-${uses}-${first}`, party: 'GHA', uses, units: { mode: 'ranges' as const, ranges: [{ seriesId: 'S1', firstSerial: first, lastSerial: last }] }, oimpFirstTransfer: null, supersedes: null, applicableFrom: '2026-01-01T00:00:00.000Z' });
  const into = (to: RuleAccount, authorizations: ReturnType<typeof authorization>[]): RuleContext => ({ ...context(10n), to, units, authorizations });

  const cases: [string, ReturnType<typeof authorization>[], string[]][] = [
    ['no authorization', [], ['1-10']],
    ['NDC for part of the units', [authorization('NDC', 1n, 6n)], ['7-10']],
    ['NDC for all, in two records', [authorization('NDC', 1n, 6n), authorization('BOTH', 7n, 10n)], []],
    ['OIMP only', [authorization('OIMP', 1n, 10n)], ['1-10']],
    ['withdrawn (NONE)', [authorization('NONE', 1n, 10n)], ['1-10']],
  ];
  for (const [name, authorizations, refused] of cases) it(`use-authorized-units v1, ${name}: refuses ${refused.join(', ') || 'nothing'}`, () => {
    const verdict = useAuthorizedUnitsV1.evaluate(into(use, authorizations), {});
    expect(verdict.refusals.map((r) => `${String(r.judged.firstSerial)}-${String(r.judged.lastSerial)}`)).toEqual(refused);
    expect(new Set(verdict.refusals.map((r) => r.code))).toEqual(new Set(refused.length > 0 ? [6003] : []));
    // Only use accounts are guarded.
    expect(useAuthorizedUnitsV1.evaluate(into(holding('B-1'), authorizations), {}).refusals).toEqual([]);
  });

  it('use-authorized-units v1 counts an authorization only for units of its own Party', () => {
    const foreign = [{ ...units[0], series: series(2024, 'KEN') }] as typeof units;
    expect(useAuthorizedUnitsV1.evaluate({ ...into(use, [authorization('NDC', 1n, 10n)]), units: foreign }, {}).refusals.map((r) => r.code)).toEqual([6003]);
  });

  it('retirement-vintage v1 names what is wrong, then refuses vintages outside the period', () => {
    expect(problems(retirementVintageV1, [{ firstVintage: 2021 }, { firstVintage: 2026, lastVintage: 2025 }, { firstVintage: 2021, lastVintage: 2025 }])).toEqual(['lastVintage must be a year from 1990 to 2100', 'lastVintage must not be before firstVintage', 'ok']);
    const mixed = [...units, { seriesId: 'S2', firstSerial: 1n, lastSerial: 5n, series: series(2026) }];
    const verdict = retirementVintageV1.evaluate({ ...into(use, []), units: mixed }, { firstVintage: 2021, lastVintage: 2025 });
    expect(verdict.refusals.map((r) => [r.code, r.judged.seriesId])).toEqual([[6004, 'S2']]);
  });

  it('authorized-export v1 accepts any use but NONE', () => {
    const out = (authorizations: ReturnType<typeof authorization>[]): RuleContext => ({ ...into(holding('PROXY'), authorizations), kind: 'EXTERNAL_TRANSFER' });
    expect(authorizedExportV1.evaluate(out([]), {}).refusals.map((r) => r.code)).toEqual([6005]);
    expect(authorizedExportV1.evaluate(out([authorization('OIMP', 1n, 10n)]), {}).refusals).toEqual([]);
    expect(authorizedExportV1.evaluate(out([authorization('NONE', 1n, 10n)]), {}).refusals.map((r) => r.code)).toEqual([6005]);
  });
});

describe('four-eyes v1', () => {
  it('names what is wrong with its settings, in order', () => {
    expect(problems(fourEyesV1, [{ escrowAccountId: 'ESC-1', expiresAfterHours: 24 }, { threshold: '500', expiresAfterHours: 24 }, { threshold: '500', escrowAccountId: 'ESC-1', expiresAfterHours: 0 }, { threshold: '500', escrowAccountId: 'ESC-1', expiresAfterHours: 24 }])).toEqual([
      'threshold must be a positive whole number of units, written as a decimal string',
      'escrowAccountId must be an account number',
      'expiresAfterHours must be a whole number of hours from 1 to 720',
      'ok',
    ]);
  });

  it('holds transfers above the threshold until a set time, and nothing else', () => {
    const settings = { threshold: 500n, escrowAccountId: 'ESC-1', expiresAfterHours: 24 };
    expect(fourEyesV1.evaluate(context(500n), settings)).toEqual({ refusals: [], diversions: [] });
    expect(fourEyesV1.evaluate(context(501n), settings).hold).toEqual({ escrowAccountId: 'ESC-1', expiresAt: '2026-06-02T00:00:00.000Z' });
  });

  it('reserves every unit, deferring the other rules\' supplementary operations to the delivery, and is not held again on delivery', () => {
    const records = [
      { id: 'f', kind: 'RULE_SETTING' as const, subject: 'four-eyes', scopeType: 'REGISTRY' as const, scopeId: '', body: JSON.stringify({ enabled: true, revision: 1, settings: { threshold: '500', escrowAccountId: 'ESC-1', expiresAfterHours: 24 } }) },
      { id: 't', kind: 'RULE_SETTING' as const, subject: 'transfer-fee', scopeType: 'REGISTRY' as const, scopeId: '', body: JSON.stringify({ enabled: true, revision: 1, settings: { accountId: 'FEE-1', basisPoints: 100 } }) },
    ];
    const judged = judge(context(1_000n), records);
    expect(judged.diversions).toEqual([{ accountId: 'ESC-1', quantity: 1_000n }]);
    expect(judged.hold).toMatchObject({ rule: 'four-eyes', quantity: 1_000n });
    // The fee is logged as deferred, not carried out.
    expect(judged.operations).toContainEqual(expect.objectContaining({ op: 'rule', rule: 'transfer-fee', diversions: [], deferred: [{ accountId: 'FEE-1', quantity: 10n }] }));
    const delivered = judge(context(1_000n), records, undefined, true);
    expect(delivered.hold).toBeNull();
    expect(delivered.diversions).toEqual([{ accountId: 'FEE-1', quantity: 10n }]);
  });
});

describe('omge-cancellation v1', () => {
  it('names what is wrong with its settings, and cancels at least 2 %, rounded up, at issuance', () => {
    expect(problems(omgeCancellationV1, [{ accountId: 'OMGE-1', basisPoints: 199 }, { accountId: 'OMGE-1', basisPoints: 200 }])).toEqual(['basisPoints must be at least 200 (2 %)', 'ok']);
    const issuance = (quantity: bigint): RuleContext => ({ ...context(quantity), kind: 'ISSUANCE', from: null });
    const settings = { accountId: 'OMGE-1', basisPoints: 200n };
    expect(omgeCancellationV1.evaluate(issuance(1_000n), settings).diversions).toEqual([{ accountId: 'OMGE-1', quantity: 20n }]);
    expect(omgeCancellationV1.evaluate(issuance(101n), settings).diversions).toEqual([{ accountId: 'OMGE-1', quantity: 3n }]);
    expect(omgeCancellationV1.evaluate(issuance(1n), settings).diversions).toEqual([]);
  });

  it('is judged together with the share of proceeds: both shares leave the same issuance', () => {
    const records = [
      { id: 'o', kind: 'RULE_SETTING' as const, subject: 'omge-cancellation', scopeType: 'REGISTRY' as const, scopeId: '', body: JSON.stringify({ enabled: true, revision: 1, settings: { accountId: 'OMGE-1', basisPoints: 200 } }) },
      { id: 's', kind: 'RULE_SETTING' as const, subject: 'share-of-proceeds', scopeType: 'REGISTRY' as const, scopeId: '', body: JSON.stringify({ enabled: true, revision: 1, settings: { accountId: 'AF-1', basisPoints: 500 } }) },
    ];
    const judged = judge({ ...context(1_000n), kind: 'ISSUANCE', from: null }, records);
    expect(judged.diversions).toEqual([{ accountId: 'OMGE-1', quantity: 20n }, { accountId: 'AF-1', quantity: 50n }]);
    expect(judged.ruleVersions).toMatchObject({ 'omge-cancellation': 1, 'share-of-proceeds': 1 });
  });
});

import { describe, expect, it } from 'vitest';
import type { Actor } from '../types';
import { divert } from './divert';
import { judge } from './engine';
import { governingSettings } from './records';
import { shareOfProceedsV1 } from './share-of-proceeds/v1';
import { transferFeeV1 } from './transfer-fee/v1';
import { transferFeeV2 } from './transfer-fee/v2';
import { transferLimitV1 } from './transfer-limit/v1';
import type { PluggableRuleVersion, RuleAccount, RuleContext } from './types';
import { NO_CHANGES } from '../plan';

/** Each published version alone: its settings' problems in order, and its rulings. Pure, no database. */

const actor: Actor = { userId: 'u', impersonatorId: null, grants: [] };
const holding = (id: string, sectionId: string | null = 'GHA'): RuleAccount => ({ id, type: 'HOLDING', sectionId, cooperativeApproachId: 'CA1' });
const context = (quantity: bigint, at = '2026-06-01T00:00:00.000Z'): RuleContext => ({ kind: 'TRANSFER', at, actor, from: holding('A-1'), to: holding('B-1'), quantity });

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

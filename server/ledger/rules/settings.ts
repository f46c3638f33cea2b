import type { Parsed, RuleSettingsInput } from './types';

/**
 * Small validators for rule settings: each names the field that is wrong, so that an administrator's
 * mistake comes back as a clear refusal (2015) rather than a rule that misbehaves later.
 */

const ACCOUNT_ID = /^[A-Z0-9][A-Z0-9-]{2,63}$/;
const DECIMAL = /^[1-9][0-9]{0,17}$/;

export function onlyFields(input: RuleSettingsInput, fields: readonly string[]): string | null {
  const extra = Object.keys(input).filter((k) => !fields.includes(k));
  return extra.length > 0 ? `unknown setting ${extra.join(', ')}` : null;
}

export function accountIdSetting(input: RuleSettingsInput, field: string): Parsed<string> {
  const value = input[field];
  return typeof value === 'string' && ACCOUNT_ID.test(value) ? { ok: true, settings: value } : { ok: false, problem: `${field} must be an account number` };
}

/** A whole number of units, as a decimal string (JSON numbers cannot carry every bigint). */
export function quantitySetting(input: RuleSettingsInput, field: string): Parsed<bigint> {
  const value = input[field];
  return typeof value === 'string' && DECIMAL.test(value) ? { ok: true, settings: BigInt(value) } : { ok: false, problem: `${field} must be a positive whole number of units, written as a decimal string` };
}

/** A rate in basis points (1 = 0.01 %), at most `maximum`. */
export function basisPointsSetting(input: RuleSettingsInput, field: string, maximum: number): Parsed<bigint> {
  const value = input[field];
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maximum ? { ok: true, settings: BigInt(value) } : { ok: false, problem: `${field} must be a whole number of basis points from 1 to ${maximum}` };
}

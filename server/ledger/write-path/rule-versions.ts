import { encoded, type Encoded } from '../canonical-json';
import type { BuiltInRules } from '../rules/built-in';

/**
 * The versions of the write path's own rules, recorded with every transaction (A6R-47) beside those of
 * the built-in rules in force at its time; the pluggable rules that governed it are added to them
 * (server/ledger/rules/engine.ts).
 */
export const RULE_VERSIONS: Readonly<Record<string, number>> = { 'implicit-splitting': 1, 'account-configuration': 1, 'external-transfer': 1 };

interface RecordedVersions {
  readonly versions: Readonly<Record<string, number>>;
  readonly json: Encoded;
  readonly withPluggable: Map<string, Encoded>;
}

/**
 * Per set of built-in rules in force, the versions every transaction records, their encoding, and the
 * encodings of the sets of pluggable rule versions met so far (few: the rules configured).
 */
const baseVersions = new WeakMap<BuiltInRules, RecordedVersions>();

function recordedVersions(builtIns: BuiltInRules): RecordedVersions {
  let base = baseVersions.get(builtIns);
  if (!base) {
    const versions = { ...builtIns.versions, ...RULE_VERSIONS };
    base = { versions, json: encoded(versions), withPluggable: new Map() };
    baseVersions.set(builtIns, base);
  }
  return base;
}

/**
 * The rule versions a transaction records, recorded or rejected: the built-in ones, the write path's
 * own and the pluggable ones `applied`, encoded once per set of built-in rules and per set applied.
 */
export function ruleVersionsJson(builtIns: BuiltInRules, applied: Readonly<Record<string, number>>): Encoded {
  const base = recordedVersions(builtIns);
  let key = '';
  for (const [name, version] of Object.entries(applied)) if (base.versions[name] !== version) key += `${name}\u0000${version}\u0000`;
  if (key === '') return base.json;
  let json = base.withPluggable.get(key);
  if (!json) {
    json = encoded({ ...base.versions, ...applied });
    // Bounded: one entry per distinct set of rule versions; a registry configures a handful of rules.
    if (base.withPluggable.size < 1024) base.withPluggable.set(key, json);
  }
  return json;
}

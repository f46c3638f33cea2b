import { authorizedExportV1 } from './authorized-export/v1';
import { fourEyesV1 } from './four-eyes/v1';
import { omgeCancellationV1 } from './omge-cancellation/v1';
import { retirementVintageV1 } from './retirement-vintage/v1';
import { shareOfProceedsV1 } from './share-of-proceeds/v1';
import { transferFeeV1 } from './transfer-fee/v1';
import { transferFeeV2 } from './transfer-fee/v2';
import { transferLimitV1 } from './transfer-limit/v1';
import { useAuthorizedUnitsV1 } from './use-authorized-units/v1';
import { BUILT_IN_RULE_NAMES, BUILT_IN_RULES } from './built-in';
import type { BuiltInRuleVersion, PluggableRuleVersion } from './types';

/**
 * Every published version of every rule (A6R-39). Versions are only ever added here; a version's file
 * is never edited once published (`published.test.ts` holds each file to its recorded digest).
 */
// The settings type differs per rule; the catalog hands each version only settings it parsed itself.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PLUGGABLE_RULES: readonly PluggableRuleVersion<any>[] = [transferLimitV1, transferFeeV1, transferFeeV2, shareOfProceedsV1, useAuthorizedUnitsV1, retirementVintageV1, authorizedExportV1, fourEyesV1, omgeCancellationV1];

/** Every published version of the built-in rules (their book, by date: built-in.ts). */
export const BUILT_IN_RULE_VERSIONS: readonly BuiltInRuleVersion[] = BUILT_IN_RULES.all();

const byName = new Map<string, PluggableRuleVersion[]>();
for (const rule of PLUGGABLE_RULES) {
  const versions = byName.get(rule.name) ?? [];
  versions.push(rule);
  byName.set(rule.name, versions);
}
// The catalog's own invariants, checked once at load: versions numbered 1..n without gaps, each
// starting after the one it supersedes, and no name both built-in and pluggable.
for (const [name, versions] of byName) {
  versions.forEach((v, i) => {
    if (v.version !== i + 1) throw new Error(`rule catalog: ${name} version ${v.version} is out of order (expected ${i + 1})`);
    const previous = versions[i - 1];
    if (previous && !(previous.effectiveFrom < v.effectiveFrom)) throw new Error(`rule catalog: ${name} v${v.version} must start after v${previous.version}`);
    if (v.retiresAt !== null && !(v.effectiveFrom < v.retiresAt)) throw new Error(`rule catalog: ${name} v${v.version} retires before it starts`);
  });
  if ((BUILT_IN_RULE_NAMES as readonly string[]).includes(name)) throw new Error(`rule catalog: ${name} is both built-in and pluggable`);
}

export const isPluggableRule = (name: string): boolean => byName.has(name);

export const pluggableRuleNames = (): string[] => [...byName.keys()].sort();

/** Every version of a pluggable rule, oldest first. */
export const versionsOf = (name: string): readonly PluggableRuleVersion[] => byName.get(name) ?? [];

/** A version as recorded in the log, for replay: null when the catalog has no such version. */
export function publishedVersion(name: string, version: number): PluggableRuleVersion | null {
  return byName.get(name)?.find((v) => v.version === version) ?? null;
}

/**
 * The version of a rule in force at `at` (ISO-8601 UTC): the latest one that has started, unless it has
 * retired by then, in which case the rule no longer applies (an older version never comes back).
 */
export function versionInForce(name: string, at: string): PluggableRuleVersion | null {
  const versions = byName.get(name) ?? [];
  let found: PluggableRuleVersion | null = null;
  for (const v of versions) if (v.effectiveFrom <= at) found = v;
  if (found && found.retiresAt !== null && found.retiresAt <= at) return null;
  return found;
}

/** Versions in force at `at` or later: the ones new settings must satisfy. */
export function versionsFrom(name: string, at: string): readonly PluggableRuleVersion[] {
  return (byName.get(name) ?? []).filter((v) => v.retiresAt === null || v.retiresAt > at);
}

import { pendingBalanceAgeV1 } from './pending-balance-age/v1';
import type { ComplianceRuleVersion } from './types';
import { unauthorizedUnitsInUseV1 } from './unauthorized-units-in-use/v1';

/** Every published version of every compliance rule; only ever added to. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMPLIANCE_RULES: readonly ComplianceRuleVersion<any>[] = [unauthorizedUnitsInUseV1, pendingBalanceAgeV1];

export const isComplianceRule = (name: string): boolean => COMPLIANCE_RULES.some((r) => r.name === name);

/** The version in force at `at`: the latest started, unless retired by then. */
export function complianceVersionInForce(name: string, at: string): ComplianceRuleVersion | null {
  let found: ComplianceRuleVersion | null = null;
  for (const v of COMPLIANCE_RULES) if (v.name === name && v.effectiveFrom <= at) found = v;
  return found && found.retiresAt !== null && found.retiresAt <= at ? null : found;
}

export const complianceVersionsFrom = (name: string, at: string): readonly ComplianceRuleVersion[] => COMPLIANCE_RULES.filter((v) => v.name === name && (v.retiresAt === null || v.retiresAt > at));

import type { AccountType, Registry, Role } from '../../db/generated/enums';
import type { Actor, ActorGrant, SeriesAttributes } from '../types';
import type { Random } from './random';

/**
 * The world the workload acts in: three Parties with their accounts, the service accounts, the people
 * who act (with their grants), and the series templates units are issued from. The accounts and people
 * are fixed; the series templates are drawn from the seed.
 */

export const SECTIONS = ['GHA', 'CHE', 'SWE'] as const;
export const APPROACHES = ['CA-1', 'CA-2'] as const;
/** Single units are sent here, so that it fragments into hundreds of blocks and implicit selection pages. */
export const FRAGMENT_SINK = 'CHE-HLD-2';
/** The escrow account of the four-eyes rule set up for GHA-HLD-1. */
export const ESCROW = 'REG-ESC-1';
export const FEE_ACCOUNT = 'REG-FEE-1';
export const PROCEEDS_ACCOUNT = 'REG-AF-1';
/** The section whose transfers are limited (transfer-limit), and which the workload suspends the limit for. */
export const LIMITED_SECTION = 'SWE';

export interface AccountSpec {
  readonly id: string;
  readonly type: AccountType;
  readonly registry: Registry;
  readonly sectionId: string | null;
  readonly approach: string | null;
  readonly activate: boolean;
  readonly holder: boolean;
}

export function accountPlan(): AccountSpec[] {
  const plan: AccountSpec[] = [];
  const party = (id: string, type: AccountType, sectionId: string, activate = true, approach: string | null = null) =>
    plan.push({ id, type, registry: 'INTERNATIONAL', sectionId, approach, activate, holder: type !== 'ISSUANCE' });
  for (const s of SECTIONS) {
    party(`${s}-ISS-1`, 'ISSUANCE', s);
    party(`${s}-HLD-1`, 'HOLDING', s);
    // One account stays Initial until a status change activates it.
    party(`${s}-HLD-2`, 'HOLDING', s, s !== 'SWE');
    party(`${s}-USE-1`, 'USE', s);
    party(`${s}-CNL-1`, 'CANCELLATION', s);
  }
  party('GHA-HLD-3', 'HOLDING', 'GHA', true, 'CA-1');
  const service = (id: string, type: AccountType, registry: Registry, holder = false) => plan.push({ id, type, registry, sectionId: null, approach: null, activate: true, holder });
  service('MEC-PND-1', 'PENDING', 'MECHANISM');
  service('MEC-AF-1', 'ADAPTATION_FUND', 'MECHANISM', true);
  service('MEC-HLD-1', 'HOLDING', 'MECHANISM', true);
  service('REG-PRX-1', 'PROXY', 'INTERNATIONAL');
  service('REG-ACN-1', 'ADMIN_CANCELLATION', 'INTERNATIONAL');
  service('REG-AHL-1', 'ADMIN_HOLDING', 'INTERNATIONAL');
  service('REG-HTA-1', 'HIGHER_TIER', 'INTERNATIONAL');
  // The escrow account of the four-eyes rule (docs/rules.md), set up for GHA-HLD-1.
  service('REG-ESC-1', 'ADMIN_HOLDING', 'INTERNATIONAL');
  // The accounts the transfer fee (on CHE-HLD-1) and the share of proceeds (on SWE-ISS-1) send units to.
  service(FEE_ACCOUNT, 'HOLDING', 'INTERNATIONAL');
  service(PROCEEDS_ACCOUNT, 'ADAPTATION_FUND', 'INTERNATIONAL');
  return plan;
}

const grant = (role: Role, sectionId: string | null = null, accountId: string | null = null): ActorGrant => ({ role, sectionId, accountId });
const person = (userId: string, grants: ActorGrant[], impersonatorId: string | null = null): Actor => ({ userId, impersonatorId, grants });

export const ADMIN = person('registry-admin', [grant('REGISTRY_ADMIN')]);
export const SECTION_ADMINS = new Map<string, Actor>(SECTIONS.map((s) => [s, person(`${s.toLowerCase()}-admin`, [grant('SECTION_ADMIN', s)])]));
export const MULTI_HOLDER = person('multi-holder', [grant('ACCOUNT_HOLDER', null, 'GHA-HLD-1'), grant('ACCOUNT_HOLDER', null, 'CHE-HLD-1'), grant('VIEWER', null, 'SWE-HLD-1')]);
export const VIEWER = person('viewer', [grant('VIEWER', null, 'GHA-HLD-1')]);
export const SYSTEM_ADMIN = person('system-admin', [grant('SYSTEM_ADMIN')]);
export const NOBODY = person('nobody', []);

/** The account holder of an account (for the accounts planned with one). */
export const holderOf = (accountId: string): Actor => person(`holder-${accountId}`, [grant('ACCOUNT_HOLDER', null, accountId)]);
/** A registry administrator acting as another user: that user's grants count, never more (DOMAIN.md). */
export const impersonating = (user: Actor): Actor => ({ ...user, impersonatorId: ADMIN.userId });

/** The series templates the workload issues from: a few per Party, so that series grow and repeat. */
export interface SeriesCatalog {
  readonly domestic: Map<string, SeriesAttributes[]>;
  readonly mechanism: SeriesAttributes[];
  readonly foreign: SeriesAttributes[];
}

export function seriesCatalog(rng: Random): SeriesCatalog {
  const domestic = new Map<string, SeriesAttributes[]>();
  for (const s of SECTIONS) {
    const list: SeriesAttributes[] = [];
    for (let i = 0; i < 4; i++) {
      list.push({
        unitType: rng.pick(['ITMO', 'MO', 'ITMO']),
        cooperativeApproachId: rng.pick([null, 'CA-1', 'CA-2']),
        originatingRegistry: 'IR',
        hostParty: s,
        firstTransferringParty: s,
        activityId: `${s}-ACT-${1 + (i % 2)}`,
        vintage: 2021 + i,
        sectors: ['energy'],
        activityTypes: [],
        metric: 'tCO2e',
        pre2021: false,
      });
    }
    domestic.set(s, list);
  }
  const mechanism = [2021, 2022, 2023].map((vintage, i) => ({
    unitType: 'A6.4ER',
    cooperativeApproachId: null,
    originatingRegistry: 'MR',
    hostParty: rng.pick(SECTIONS),
    firstTransferringParty: rng.pick(SECTIONS),
    activityId: `A64-${i + 1}`,
    vintage,
    sectors: ['waste'],
    activityTypes: ['methane'],
    metric: 'tCO2e',
    pre2021: false,
  }));
  const foreign: SeriesAttributes[] = [
    { unitType: 'ITMO', cooperativeApproachId: 'CA-2', originatingRegistry: 'XR', hostParty: 'KEN', firstTransferringParty: 'KEN', activityId: 'KEN-7', vintage: 2022, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false },
    { unitType: 'CER', cooperativeApproachId: null, originatingRegistry: 'CDM', hostParty: 'BRA', firstTransferringParty: 'BRA', activityId: 'CDM-0042', vintage: 2019, sectors: ['energy'], activityTypes: [], metric: 'tCO2e', pre2021: true },
    { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'XR', hostParty: 'PER', firstTransferringParty: 'CHE', activityId: 'PER-3', vintage: 2023, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false },
  ];
  return { domestic, mechanism, foreign };
}

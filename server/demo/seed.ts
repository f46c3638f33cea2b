import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { hashPassword } from '../auth/password';
import { execute } from '../ledger/write-path';
import type { AccountType, Registry, Role } from '../db/generated/enums';
import type { Actor, LedgerContext, Outcome, SeriesAttributes } from '../ledger/types';

/**
 * A believable small registry: two Party sections under one cooperative approach, accounts of several
 * types in both registries, issued blocks of several vintages, one user per role. Every unit comes
 * from a recorded issuance through the ledger's write path, so the log of the demo is complete.
 */
export interface DemoUser {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly description: string;
}

export const DEMO_USERS: readonly (DemoUser & { readonly id: string; readonly sectionId?: string; readonly accountIds?: readonly string[] })[] = [
  { id: 'u-sysadmin', email: 'sysadmin@demo.registry', name: 'Sam Sysadmin', role: 'SYSTEM_ADMIN', description: 'system administrator' },
  { id: 'u-regadmin', email: 'registry.admin@demo.registry', name: 'Rita Registrar', role: 'REGISTRY_ADMIN', description: 'registry administrator' },
  { id: 'u-regdeputy', email: 'registry.deputy@demo.registry', name: 'Dora Deputy', role: 'REGISTRY_ADMIN', description: 'registry administrator, the second pair of eyes for transfers that wait' },
  { id: 'u-gha-admin', email: 'ghana.admin@demo.registry', name: 'Kwame Mensah', role: 'SECTION_ADMIN', sectionId: 'GHA', description: 'section administrator, Ghana' },
  { id: 'u-che-admin', email: 'swiss.admin@demo.registry', name: 'Anna Keller', role: 'SECTION_ADMIN', sectionId: 'CHE', description: 'section administrator, Switzerland' },
  { id: 'u-che-deputy', email: 'swiss.deputy@demo.registry', name: 'Beat Huber', role: 'SECTION_ADMIN', sectionId: 'CHE', description: 'section administrator, Switzerland (deputy)' },
  { id: 'u-holder', email: 'holder@demo.registry', name: 'Lukas Brunner', role: 'ACCOUNT_HOLDER', accountIds: ['CHE-200-0001', 'CHE-200-0002'], description: 'account holder, Alpine Climate Partners' },
  { id: 'u-viewer', email: 'viewer@demo.registry', name: 'Vera Viewer', role: 'VIEWER', accountIds: ['CHE-200-0001'], description: 'read-only viewer' },
  { id: 'u-gha-holder', email: 'cookstoves@demo.registry', name: 'Ama Owusu', role: 'ACCOUNT_HOLDER', accountIds: ['GHA-200-0001'], description: 'account holder, Accra Clean Cookstoves' },
];

/** A person who has applied but holds no grant yet (A6R-13), and whose identity is still to be checked. */
export const DEMO_APPLICANT = { id: 'u-applicant', email: 'applicant@demo.registry', name: 'Pia Petersen', description: 'applicant: no grants, identity not yet checked' } as const;

const CA = 'CA0001';

const ACCOUNTS: readonly { id: string; registry: Registry; name: string; type: AccountType; holderName: string; sectionId: string | null; cooperativeApproachId: string | null }[] = [
  { id: 'GHA-100-0001', registry: 'INTERNATIONAL', name: 'Ghana Party issuance account', type: 'ISSUANCE', holderName: 'Republic of Ghana', sectionId: 'GHA', cooperativeApproachId: CA },
  { id: 'GHA-200-0001', registry: 'INTERNATIONAL', name: 'Accra Clean Cookstoves trading', type: 'HOLDING', holderName: 'Accra Clean Cookstoves Ltd', sectionId: 'GHA', cooperativeApproachId: null },
  { id: 'CHE-200-0001', registry: 'INTERNATIONAL', name: 'Alpine Climate Partners trading', type: 'HOLDING', holderName: 'Alpine Climate Partners AG', sectionId: 'CHE', cooperativeApproachId: null },
  { id: 'CHE-200-0002', registry: 'INTERNATIONAL', name: 'Alpine Climate Partners reserve', type: 'HOLDING', holderName: 'Alpine Climate Partners AG', sectionId: 'CHE', cooperativeApproachId: null },
  { id: 'CHE-300-0001', registry: 'INTERNATIONAL', name: 'Switzerland NDC use account 2021–2030', type: 'USE', holderName: 'Swiss Confederation', sectionId: 'CHE', cooperativeApproachId: null },
  { id: 'CHE-400-0001', registry: 'INTERNATIONAL', name: 'Switzerland voluntary cancellation', type: 'CANCELLATION', holderName: 'Swiss Confederation', sectionId: 'CHE', cooperativeApproachId: null },
  { id: 'IR-900-0001', registry: 'INTERNATIONAL', name: 'Proxy account for other registries', type: 'PROXY', holderName: 'International registry', sectionId: null, cooperativeApproachId: null },
  { id: 'MR-100-0001', registry: 'MECHANISM', name: 'Mechanism pending account', type: 'PENDING', holderName: 'Article 6.4 mechanism', sectionId: null, cooperativeApproachId: null },
  { id: 'MR-500-0001', registry: 'MECHANISM', name: 'Adaptation Fund account', type: 'ADAPTATION_FUND', holderName: 'Adaptation Fund', sectionId: null, cooperativeApproachId: null },
  { id: 'MR-400-0001', registry: 'MECHANISM', name: 'OMGE cancellation account', type: 'CANCELLATION', holderName: 'Article 6.4 mechanism', sectionId: null, cooperativeApproachId: null },
];

function itmo(vintage: number): SeriesAttributes {
  return { unitType: 'ITMO', cooperativeApproachId: CA, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-COOK-001', vintage, sectors: ['energy'], activityTypes: ['clean cookstoves'], metric: 'tCO2e', pre2021: false };
}

function a64er(vintage: number): SeriesAttributes {
  return { unitType: 'A6.4ER', cooperativeApproachId: null, originatingRegistry: 'MR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'A64-GHA-0042', vintage, sectors: ['waste'], activityTypes: ['landfill gas'], metric: 'tCO2e', pre2021: false };
}

/** Seeds an empty database. Refuses to run on a database that already has users. */
export async function seedDemo(ctx: LedgerContext, password: string): Promise<void> {
  const db: Db = ctx.db;
  if ((await db.user.count()) > 0) throw new Error('The database already has users: the demo data is only seeded into an empty registry.');

  const ghanaAdmin: Actor = { userId: 'u-gha-admin', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };
  const registryAdmin: Actor = { userId: 'u-regadmin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
  const must = async (p: Promise<Outcome>) => {
    const outcome = await p;
    if (outcome.status !== 'RECORDED') throw new Error(`Demo seed refused: ${JSON.stringify(outcome.refusals)}`);
  };
  const key = (label: string) => `seed-${label}`;

  // Reference data and accounts are configuration changes: through the ledger, so the log holds them.
  await must(execute(ctx, registryAdmin, { kind: 'DEFINE_REFERENCE', idempotencyKey: key('section-gha'), reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } }));
  await must(execute(ctx, registryAdmin, { kind: 'DEFINE_REFERENCE', idempotencyKey: key('section-che'), reference: { type: 'SECTION', id: 'CHE', name: 'Switzerland' } }));
  await must(execute(ctx, registryAdmin, { kind: 'DEFINE_REFERENCE', idempotencyKey: key('ca'), reference: { type: 'COOPERATIVE_APPROACH', id: CA, name: 'Switzerland–Ghana bilateral cooperation on clean cookstoves' } }));
  for (const account of ACCOUNTS) {
    await must(execute(ctx, registryAdmin, { kind: 'OPEN_ACCOUNT', idempotencyKey: key(`open-${account.id}`), account }));
    await must(execute(ctx, registryAdmin, { kind: 'SET_ACCOUNT_STATUS', idempotencyKey: key(`activate-${account.id}`), accountId: account.id, status: 'ACTIVE' }));
  }

  // The demo's people are written directly: the registry's first system and registry administrators
  // cannot be granted from inside it. Their identity checks are recorded as if done at onboarding.
  const passwordHash = await hashPassword(password);
  const onboarded = ctx.now();
  for (const u of DEMO_USERS) {
    await db.user.create({ data: { id: u.id, email: u.email, name: u.name, passwordHash, personalDataKey: randomBytes(32).toString('base64url') } });
    const scopes = u.accountIds ? u.accountIds.map((accountId) => ({ accountId, sectionId: null })) : [{ accountId: null, sectionId: u.sectionId ?? null }];
    await db.grant.createMany({ data: scopes.map((s) => ({ id: randomUUID(), userId: u.id, role: u.role, ...s })) });
    const checkedBy = u.role === 'REGISTRY_ADMIN' || u.role === 'SYSTEM_ADMIN' ? 'u-sysadmin' : 'u-regadmin';
    await db.identityVerification.create({ data: { id: randomUUID(), userId: u.id, method: 'GOVERNMENT_ID', outcome: 'VERIFIED', verifiedById: checkedBy, checkedAt: onboarded, createdAt: onboarded } });
  }
  await db.user.create({ data: { id: DEMO_APPLICANT.id, email: DEMO_APPLICANT.email, name: DEMO_APPLICANT.name, passwordHash, personalDataKey: randomBytes(32).toString('base64url') } });

  for (const [vintage, quantity] of [[2021, 50_000n], [2022, 75_000n], [2023, 60_000n]] as const) {
    await must(execute(ctx, ghanaAdmin, { kind: 'ISSUANCE', idempotencyKey: key(`itmo-${vintage}`), accountId: 'GHA-100-0001', series: itmo(vintage), quantity }));
  }
  await must(execute(ctx, registryAdmin, { kind: 'ISSUANCE', idempotencyKey: key('a64er-2023'), accountId: 'MR-100-0001', series: a64er(2023), quantity: 10_000n }));

  const transfer = (label: string, fromAccountId: string, toAccountId: string, vintage: number, quantity: bigint, actor: Actor) =>
    must(execute(ctx, actor, { kind: 'TRANSFER', idempotencyKey: key(label), fromAccountId, toAccountId, selection: { mode: 'implicit', quantity, constraints: { vintage } } }));
  await transfer('gha-holding-2022', 'GHA-100-0001', 'GHA-200-0001', 2022, 20_000n, ghanaAdmin);
  await transfer('che-2021', 'GHA-100-0001', 'CHE-200-0001', 2021, 30_000n, ghanaAdmin);
  await transfer('che-2023', 'GHA-100-0001', 'CHE-200-0001', 2023, 15_000n, ghanaAdmin);
  await transfer('che-2022-a', 'GHA-200-0001', 'CHE-200-0001', 2022, 5_000n, registryAdmin);
  await transfer('che-reserve-2021', 'CHE-200-0001', 'CHE-200-0002', 2021, 2_500n, registryAdmin);
  await transfer('af-share', 'MR-100-0001', 'MR-500-0001', 2023, 500n, registryAdmin);
  await transfer('omge', 'MR-100-0001', 'MR-400-0001', 2023, 200n, registryAdmin);

  // Compliance rules (A6R-19) for the whole registry, and something for them to find: Switzerland
  // used ITMOs towards its NDC that Ghana has not (yet) authorized for that use.
  await must(execute(ctx, registryAdmin, { kind: 'CONFIGURE_RULE', idempotencyKey: key('compliance-unauthorized'), rule: 'unauthorized-units-in-use', scope: { type: 'REGISTRY' }, enabled: true, settings: {} }));
  await must(execute(ctx, registryAdmin, { kind: 'CONFIGURE_RULE', idempotencyKey: key('compliance-pending'), rule: 'pending-balance-age', scope: { type: 'REGISTRY' }, enabled: true, settings: { maxDays: 30 } }));
  await transfer('che-use-2021', 'CHE-200-0002', 'CHE-300-0001', 2021, 1_000n, registryAdmin);
}

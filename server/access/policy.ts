import type { Role } from '../db/generated/enums';
import { withinLimit } from '../ledger/approach-scope';
import { administersSection, holdsRole, readScope, scopeCovers, sectionGrants, type ScopedAccount } from '../ledger/authority';
import type { Actor, ActorGrant } from '../ledger/types';

// Who holds which grant, and whose data a read returns, are answered in the ledger's authority module;
// this module decides, in those terms, which procedures a subject reaches and which users, grants and
// external systems it administers.
export { externalMayPropose, externalMayRead, mayAuthorizeFor, readScope, type ReadScope } from '../ledger/authority';

/**
 * The policy layer (A6R-12, attribute-based), built on server/ledger/authority.ts. Every tRPC procedure names
 * one policy below; the procedure's middleware asks `gate` before anything else runs, and the
 * service behind it asks the resource rules (`mayAdministerGrant`, `mayImpersonate`, …) once it knows
 * the section, account or user concerned. A test enumerates every procedure against every role.
 *
 * A decision is made for the *subject*: the person acting, or, while a registry administrator
 * impersonates, the impersonated user with that user's grants only (A6R-43: never beyond them).
 */
export type Subject = Actor;

export const ROLES = ['SYSTEM_ADMIN', 'REGISTRY_ADMIN', 'SECTION_ADMIN', 'ACCOUNT_HOLDER', 'VIEWER', 'EXTERNAL_SYSTEM'] as const satisfies readonly Role[];

/** Roles whose holders confirm sensitive acts with their passkey again (A6R-7). */
export const ELEVATED_ROLES: ReadonlySet<Role> = new Set<Role>(['SYSTEM_ADMIN', 'REGISTRY_ADMIN', 'SECTION_ADMIN']);

/** How recent a passkey confirmation must be for a sensitive act. */
export const STEP_UP_WINDOW_MS = 5 * 60 * 1000;

export interface Policy {
  /** What the policy allows, for the documentation and the refusal message. */
  readonly summary: string;
  /**
   * Who may reach it at all: the roles whose active grants open it, or 'SIGNED_IN' for what every
   * signed-in person may do about themselves (own profile, own passkeys).
   */
  readonly roles: readonly Role[] | 'SIGNED_IN';
  /** A sensitive act: elevated users must have confirmed with their passkey within STEP_UP_WINDOW_MS. */
  readonly stepUp: boolean;
  /** False for acts about one's own credentials, which an impersonating administrator must not touch. */
  readonly duringImpersonation: boolean;
}

const BUSINESS_READERS: readonly Role[] = ['REGISTRY_ADMIN', 'SECTION_ADMIN', 'ACCOUNT_HOLDER', 'VIEWER'];
const INITIATORS: readonly Role[] = ['REGISTRY_ADMIN', 'SECTION_ADMIN', 'ACCOUNT_HOLDER'];
const ADMINISTRATORS: readonly Role[] = ['SYSTEM_ADMIN', 'REGISTRY_ADMIN', 'SECTION_ADMIN'];

const policy = (summary: string, roles: Policy['roles'], options: { stepUp?: boolean; duringImpersonation?: boolean } = {}): Policy => ({
  summary,
  roles,
  stepUp: options.stepUp ?? false,
  duringImpersonation: options.duringImpersonation ?? true,
});

/**
 * Every policy of the registry. System administrators appear only where users, credentials and
 * registry-administrator grants are concerned: they reach no business function (A6R-50).
 */
export const POLICIES = {
  'self.read': policy('see one\'s own profile, grants and passkeys', 'SIGNED_IN'),
  'self.passkeys': policy('remove one\'s own passkeys', 'SIGNED_IN', { duringImpersonation: false }),
  'self.profile': policy('request a change of one\'s own profile (A6R-11)', 'SIGNED_IN'),
  'impersonation.stop': policy('end one\'s impersonation', 'SIGNED_IN'),

  'account.list': policy('list the accounts one may see, with balances', BUSINESS_READERS),
  'account.read': policy('read one account one may see: blocks and history', BUSINESS_READERS),
  'account.lookup': policy('look up an acquiring account\'s public details before a transfer', INITIATORS),
  'transfer.submit': policy('propose a transfer from an account one may initiate on', INITIATORS),
  'account.set-status': policy('change an account\'s status: suspend, restrict, freeze, reactivate or terminate it (A6R-41; the ledger decides which change whose grants allow)', ['REGISTRY_ADMIN', 'SECTION_ADMIN'], { stepUp: true }),

  'user.list': policy('list users (system and registry administrators: all; section administrators: their section\'s and those without grants)', ADMINISTRATORS),
  'user.credential-log': policy('read the log of acts on users, credentials and grants (A6R-50)', ['SYSTEM_ADMIN', 'REGISTRY_ADMIN']),
  'user.read': policy('read one user\'s identity checks, grants and status', ADMINISTRATORS),
  'user.create': policy('create a user, with no grants (A6R-13)', ADMINISTRATORS, { stepUp: true }),
  'user.enroll': policy('send a user a single-use enrollment link to set their credentials (A6R-4)', ADMINISTRATORS, { stepUp: true }),
  'user.verify-identity': policy('record an identity check of a user (A6R-3)', ['SYSTEM_ADMIN', 'REGISTRY_ADMIN'], { stepUp: true }),
  'user.suspend-access': policy('suspend or restore a user\'s access and end the user\'s sessions (A6R-5, A6R-50)', ['SYSTEM_ADMIN', 'REGISTRY_ADMIN'], { stepUp: true }),

  'profile.decide': policy('approve or reject a user\'s profile change (A6R-11)', ['REGISTRY_ADMIN', 'SECTION_ADMIN']),
  'user.anonymise': policy('anonymise a user\'s personal data (A6R-49)', ['REGISTRY_ADMIN'], { stepUp: true }),
  'api-client.list': policy('list the registered external systems (A6R-8)', ['REGISTRY_ADMIN']),
  'api-client.manage': policy('register or revoke an external system, with its risk assessment (A6R-8)', ['REGISTRY_ADMIN'], { stepUp: true }),
  'external.account.read': policy('read an account\'s holdings and transactions over the signed API, within the external system\'s grants', ['EXTERNAL_SYSTEM', 'ACCOUNT_HOLDER']),
  'external.transfer.propose': policy('propose a transfer over the signed API from an account the external system represents', ['ACCOUNT_HOLDER']),
  'grant.create': policy('grant a role in a section or on an account (A6R-14)', ADMINISTRATORS, { stepUp: true }),
  'grant.suspend': policy('suspend or reinstate a grant (A6R-51)', ADMINISTRATORS, { stepUp: true }),
  'grant.revoke': policy('revoke a grant, deleting its settings (A6R-51)', ADMINISTRATORS, { stepUp: true }),

  'impersonation.start': policy('act as another user, within that user\'s rights (A6R-43)', ['REGISTRY_ADMIN'], { stepUp: true, duringImpersonation: false }),

  // Business rules, descriptors, corrections (docs/rules.md); the ledger then judges each act itself.
  'rules.read': policy('see the business rules, their settings, suspensions, corrections and waiting transfers', ['REGISTRY_ADMIN', 'SECTION_ADMIN']),
  'rules.configure': policy('configure where a pluggable rule applies (A6R-38)', ['REGISTRY_ADMIN', 'SECTION_ADMIN'], { stepUp: true }),
  'rules.suspend': policy('suspend a business rule for a scope and a time window (A6R-17)', ['REGISTRY_ADMIN'], { stepUp: true }),
  'rules.lift': policy('lift a rule suspension before its window ends (A6R-17)', ['REGISTRY_ADMIN'], { stepUp: true }),
  'rules.correct': policy('make a corrective transfer (A6R-55)', ['REGISTRY_ADMIN'], { stepUp: true }),
  'rules.authorize': policy('record an authorization of units (A6R-45)', ['REGISTRY_ADMIN', 'SECTION_ADMIN'], { stepUp: true }),
  'rules.answer': policy('approve, reject or expire a transfer that waits (A6R-47)', INITIATORS),
  'compliance.read': policy('see the compliance report: open findings and past runs (A6R-19; section administrators: their sections\' findings)', ['REGISTRY_ADMIN', 'SECTION_ADMIN']),
  'compliance.run': policy('run every compliance check now, on the whole registry (A6R-19)', ['REGISTRY_ADMIN']),
} as const satisfies Record<string, Policy>;

export type PolicyName = keyof typeof POLICIES;

export function isPolicyName(name: unknown): name is PolicyName {
  return typeof name === 'string' && Object.hasOwn(POLICIES, name);
}

const has = holdsRole;

export function isElevated(subject: Subject): boolean {
  return subject.grants.some((g) => ELEVATED_ROLES.has(g.role)) || subject.impersonatorId !== null;
}

/** Refusals of the gate, in their order of precedence. */
export type GateRefusal = 'IMPERSONATION_NOT_ALLOWED' | 'ROLE_NOT_ALLOWED' | 'STEP_UP_REQUIRED';

export type GateDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: GateRefusal; readonly message: string };

/**
 * May this subject reach the procedure at all? `stepUpAt` is the session's last passkey confirmation.
 * Checked in a fixed order: impersonation, role, step-up (asked last, so that nobody is asked for a
 * passkey for something refused anyway).
 */
export function gate(name: PolicyName, subject: Subject, stepUpAt: Date | null, now: Date): GateDecision {
  const p: Policy = POLICIES[name];
  if (!p.duringImpersonation && subject.impersonatorId !== null) {
    return { allowed: false, reason: 'IMPERSONATION_NOT_ALLOWED', message: 'This is not available while you act as another user. End the impersonation first.' };
  }
  const roleAllows = p.roles === 'SIGNED_IN' || p.roles.some((role) => has(subject, role));
  if (!roleAllows) return { allowed: false, reason: 'ROLE_NOT_ALLOWED', message: `Your grants do not allow you to ${p.summary}.` };
  if (p.stepUp && isElevated(subject) && !stepUpFresh(stepUpAt, now)) {
    return { allowed: false, reason: 'STEP_UP_REQUIRED', message: 'Confirm with your passkey to continue: this act needs a recent confirmation.' };
  }
  return { allowed: true };
}

export function stepUpFresh(stepUpAt: Date | null, now: Date): boolean {
  if (stepUpAt === null) return false;
  const age = now.getTime() - stepUpAt.getTime();
  return age >= 0 && age <= STEP_UP_WINDOW_MS;
}

// ---------------------------------------------------------------------------------------------------
// Resource rules

/** The scope of a grant as the rules judge it: the account's section and approach are looked up by the caller. */
export interface GrantScope {
  readonly role: Role;
  readonly sectionId: string | null;
  readonly accountId: string | null;
  /** The cooperative approaches the grant is limited to (A6R-46); empty: no such limit. */
  readonly cooperativeApproachIds: readonly string[];
  /** The section of `accountId`'s account (null for a registry-level service account). */
  readonly accountSectionId: string | null;
  /** The cooperative approach of `accountId`'s account, if any. */
  readonly accountApproachId: string | null;
}

/** The shape each role's grant must have; returns a message naming what is wrong, or null. */
export function grantShapeProblem(scope: Omit<GrantScope, 'accountSectionId' | 'accountApproachId'>): string | null {
  switch (scope.role) {
    case 'SYSTEM_ADMIN':
    case 'REGISTRY_ADMIN':
      if (scope.cooperativeApproachIds.length > 0) return 'A registry-wide role is not limited to cooperative approaches.';
      return scope.sectionId === null && scope.accountId === null ? null : 'A registry-wide role is granted without a section or an account.';
    case 'SECTION_ADMIN':
      return scope.sectionId !== null && scope.accountId === null ? null : 'A section administrator is granted one section, and no account.';
    case 'ACCOUNT_HOLDER':
    case 'VIEWER':
      return scope.accountId !== null && scope.sectionId === null ? null : 'This role is granted on one account; choose the account, not a section.';
    case 'EXTERNAL_SYSTEM':
      // To read: one account, or every account of one section (e.g. a Party's own national registry).
      return (scope.accountId === null) !== (scope.sectionId === null) ? null : 'An external system is granted one account or one section, not both.';
  }
}

/**
 * Who administers a grant, i.e. may issue, suspend, reinstate and revoke it (A6R-14, A6R-50, A6R-51):
 * system administrators the registry administrators' grants; registry administrators the section
 * administrators' and every account-level grant; section administrators the account-level grants of
 * their own section's accounts. Higher levels include the lower ones, so a registry administrator may
 * also resuspend what a section administrator administers. Nobody administers system administrators
 * from inside the registry: they are created by the operators (see docs/security.md).
 *
 * A section administrator limited to cooperative approaches (A6R-46) administers only the grants on
 * accounts of those approaches, and only grants limited to them as well: never more than he holds.
 */
export function mayAdministerGrant(subject: Subject, scope: GrantScope): boolean {
  switch (scope.role) {
    case 'SYSTEM_ADMIN':
      return false;
    case 'REGISTRY_ADMIN':
      return has(subject, 'SYSTEM_ADMIN');
    case 'SECTION_ADMIN':
      return has(subject, 'REGISTRY_ADMIN');
    case 'EXTERNAL_SYSTEM':
      return has(subject, 'REGISTRY_ADMIN');
    case 'ACCOUNT_HOLDER':
    case 'VIEWER':
      if (has(subject, 'REGISTRY_ADMIN')) return true;
      if (scope.accountSectionId === null) return false;
      return sectionGrants(subject, scope.accountSectionId, scope.accountApproachId).some((g) => withinLimit(g.cooperativeApproachIds ?? [], scope.cooperativeApproachIds));
  }
}

/**
 * Which roles an external system's user may hold (A6R-8), and a person's: a system reads with
 * EXTERNAL_SYSTEM grants and proposes transfers as the representative of an account (ACCOUNT_HOLDER);
 * nothing else. EXTERNAL_SYSTEM is for systems only. Returns a message, or null.
 */
export function granteeProblem(role: Role, granteeIsSystem: boolean): string | null {
  if (granteeIsSystem && role !== 'EXTERNAL_SYSTEM' && role !== 'ACCOUNT_HOLDER') return 'An external system holds only external-system grants (to read) and account-holder grants (to propose transfers).';
  if (!granteeIsSystem && role === 'EXTERNAL_SYSTEM') return 'The external-system role is for registered external systems only.';
  return null;
}

/** Grants of an external system's user are administered by registry administrators only (A6R-8). */
export function mayAdministerSystemGrant(subject: Subject): boolean {
  return has(subject, 'REGISTRY_ADMIN');
}

/**
 * Whether a grant with this scope could ever count (A6R-46): a grant on an account limited to
 * approaches the account does not belong to would admit nothing. Returns a message, or null.
 */
export function approachLimitProblem(scope: GrantScope): string | null {
  if (scope.cooperativeApproachIds.length === 0 || scope.accountId === null) return null;
  if (scope.accountApproachId !== null && scope.cooperativeApproachIds.includes(scope.accountApproachId)) return null;
  return `Account ${scope.accountId} belongs to ${scope.accountApproachId === null ? 'no cooperative approach' : `cooperative approach ${scope.accountApproachId}`}: a grant on it limited to ${scope.cooperativeApproachIds.join(', ')} would never count.`;
}

/** A grant of a user an administrator looks at, with the section and approach of its account. */
export type TargetGrant = ActorGrant & { readonly accountSectionId: string | null; readonly accountApproachId?: string | null };

/**
 * Which users an administrator sees and may create: system and registry administrators all;
 * section administrators those with a grant in their sections (or on their sections' accounts, of
 * their approaches when their grant is limited to some) and those with no grant yet, whom they may
 * authorize (A6R-13).
 */
export function mayReadUser(subject: Subject, target: { readonly grants: readonly TargetGrant[] }): boolean {
  if (has(subject, 'SYSTEM_ADMIN') || has(subject, 'REGISTRY_ADMIN')) return true;
  if (!has(subject, 'SECTION_ADMIN')) return false;
  if (target.grants.length === 0) return true;
  return target.grants.some((t) => {
    if (t.sectionId !== null) return administersSection(subject, t.sectionId);
    if (t.accountSectionId === null) return false;
    return administersSection(subject, t.accountSectionId, t.accountApproachId ?? null);
  });
}

/**
 * Who issues credentials (A6R-4, A6R-50): the administrators who see the user; the credentials of
 * registry and system administrators only by system administrators.
 */
export function mayIssueCredentials(subject: Subject, target: { readonly grants: readonly TargetGrant[] }): boolean {
  if (has(target, 'REGISTRY_ADMIN') || has(target, 'SYSTEM_ADMIN')) return has(subject, 'SYSTEM_ADMIN');
  return mayReadUser(subject, target);
}

/**
 * Impersonation (A6R-43): registry administrators, of anyone but themselves and the system
 * administrators (whose functions are kept apart from the registry administrators', A6R-50), and
 * never from inside another impersonation.
 */
export function mayImpersonate(subject: Subject, target: { readonly userId: string; readonly grants: readonly ActorGrant[] }): string | null {
  if (subject.impersonatorId !== null) return 'End the current impersonation first.';
  if (!has(subject, 'REGISTRY_ADMIN')) return 'Only registry administrators impersonate users.';
  if (target.userId === subject.userId) return 'You cannot impersonate yourself.';
  if (has(target, 'SYSTEM_ADMIN')) return 'System administrators cannot be impersonated.';
  return null;
}

/** Whether an account (its number, section and approach) is within what the subject reads. */
export function mayReadAccount(subject: Subject, account: ScopedAccount): boolean {
  return scopeCovers(readScope(subject), account);
}

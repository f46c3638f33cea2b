import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { hashPassword } from '../auth/password';
import { plainText } from '../api/input-bounds';
import type { AccountType, Registry } from '../db/generated/enums';
import type { Actor, LedgerContext } from '../ledger/types';
import { execute } from '../ledger/write-path';
import { abort, newPersonalDataKey, personalDataDigest, refuse, runAct, type AccessResult, type Acted } from './acts';
import { createEnrollmentLink, type EnrollmentMail } from './enrollment';

/**
 * Setting up a registry without SQL (`npm run registry:init -- --email <e> --name <n>`): on a
 * database with no user, opens the registry's own accounts (REGISTRY_ACCOUNTS, through the ledger's
 * write path) and creates the first system administrator (a SYSTEM_ADMIN grant, the identity
 * check the operators did before running the command, no usable password: enrollment pending) and an
 * enrollment link, mailed to them and returned for the operator to print. Nobody inside the registry
 * can grant SYSTEM_ADMIN (docs/security.md), so the operators do it once, here; from then on
 * everything goes through the registry and its log. The act itself is in the log too, under the
 * initiator "registry-init".
 *
 * Run on a database that has any user, it refuses (REGISTRY_INITIALISED) and changes nothing. Two
 * concurrent runs are serialized on an advisory lock, so only one can create the first user.
 */
export const REGISTRY_INIT_ACTOR: Actor = { userId: 'registry-init', impersonatorId: null, grants: [] };

/**
 * The registry opens its own service accounts (no section) as the registry itself, through the
 * ledger's write path: the same initiator, acting with a registry administrator's grant as the
 * reservation scheduler does (server/ledger/reservations/expiry-scheduler.ts).
 */
const REGISTRY_ACCOUNTS_ACTOR: Actor = { ...REGISTRY_INIT_ACTOR, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };

/**
 * The registry's own accounts, opened and activated at initialisation (ids numbered as in the demo:
 * registry prefix, type number, sequence). Section accounts are opened later by their administrators.
 */
export const REGISTRY_ACCOUNTS: readonly { id: string; registry: Registry; name: string; type: AccountType; holderName: string }[] = [
  { id: 'IR-900-0001', registry: 'INTERNATIONAL', name: 'Proxy account for units in other registries', type: 'PROXY', holderName: 'International registry' },
  { id: 'IR-410-0001', registry: 'INTERNATIONAL', name: 'International registry administrative cancellation', type: 'ADMIN_CANCELLATION', holderName: 'International registry' },
  { id: 'IR-210-0001', registry: 'INTERNATIONAL', name: 'International registry administrative holding', type: 'ADMIN_HOLDING', holderName: 'International registry' },
  { id: 'MR-100-0001', registry: 'MECHANISM', name: 'Mechanism pending account', type: 'PENDING', holderName: 'Article 6.4 mechanism' },
  { id: 'MR-500-0001', registry: 'MECHANISM', name: 'Adaptation Fund account', type: 'ADAPTATION_FUND', holderName: 'Adaptation Fund' },
  { id: 'MR-400-0001', registry: 'MECHANISM', name: 'OMGE cancellation account', type: 'CANCELLATION', holderName: 'Article 6.4 mechanism' },
  { id: 'MR-410-0001', registry: 'MECHANISM', name: 'Mechanism registry administrative cancellation', type: 'ADMIN_CANCELLATION', holderName: 'Article 6.4 mechanism' },
  { id: 'MR-210-0001', registry: 'MECHANISM', name: 'Mechanism registry administrative holding', type: 'ADMIN_HOLDING', holderName: 'Article 6.4 mechanism' },
];

/** The advisory-lock class of registry initialisation (acts use 6274400, the ledger 6274000, 6274300, 6274301). */
const INIT_LOCK = 6274500;

export const registryInitInput = z.object({
  email: z.email('--email: enter a valid email address.').max(320, '--email: an email address has at most 320 characters.'),
  name: plainText("the system administrator's real name (--name)", 2, 200),
});

export type RegistryInitInput = z.infer<typeof registryInitInput>;

export const REGISTRY_INIT_USAGE = 'Usage: npm run registry:init -- --email <email> --name "<real name>"';

/** The command's arguments, or what is wrong with them (one line per problem, naming the option). */
export function parseRegistryInitArgs(argv: readonly string[]): { ok: true; input: RegistryInitInput } | { ok: false; message: string } {
  let values: { email?: string; name?: string };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { email: { type: 'string' }, name: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    return { ok: false, message: `${error instanceof Error ? error.message : String(error)}\n${REGISTRY_INIT_USAGE}` };
  }
  const problems: string[] = [];
  if (values.email === undefined) problems.push('--email is missing: the system administrator\'s email address.');
  if (values.name === undefined) problems.push('--name is missing: the system administrator\'s real name.');
  if (problems.length > 0) return { ok: false, message: `${problems.join('\n')}\n${REGISTRY_INIT_USAGE}` };
  const parsed = registryInitInput.safeParse({ email: values.email?.trim().toLowerCase(), name: values.name });
  if (!parsed.success) return { ok: false, message: `${parsed.error.issues.map((i) => i.message).join('\n')}\n${REGISTRY_INIT_USAGE}` };
  return { ok: true, input: parsed.data };
}

export interface RegistryInitialised {
  readonly userId: string;
  readonly link: string;
  readonly expiresAt: Date;
}

export async function initialiseRegistry(ctx: LedgerContext, input: RegistryInitInput, mail: EnrollmentMail): Promise<AccessResult<RegistryInitialised & Acted>> {
  // Refused before anything is proposed: a refused run changes nothing, not even the log.
  if ((await ctx.db.user.count()) > 0) return refuse('REGISTRY_INITIALISED');
  // Each under a fixed idempotency key: a run that stopped half-way, run again, finds what it did.
  for (const account of REGISTRY_ACCOUNTS) {
    for (const proposal of [
      { kind: 'OPEN_ACCOUNT', idempotencyKey: `registry-init-open-${account.id}`, account: { ...account, sectionId: null, cooperativeApproachId: null } },
      { kind: 'SET_ACCOUNT_STATUS', idempotencyKey: `registry-init-activate-${account.id}`, accountId: account.id, status: 'ACTIVE' },
    ] as const) {
      const outcome = await execute(ctx, REGISTRY_ACCOUNTS_ACTOR, proposal);
      if (outcome.status !== 'RECORDED') return refuse('REGISTRY_ACCOUNTS_REFUSED', `The registry's account ${account.id} could not be set up: ${outcome.refusals.map((r) => `${r.code} ${r.message}`).join('; ')}`);
    }
  }
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  // A hash of 32 random bytes nobody knows: the administrator sets a password through the link.
  const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
  return runAct(ctx, REGISTRY_INIT_ACTOR, 'REGISTRY_INIT', async (tx, now) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INIT_LOCK}::integer, 0)`;
    if ((await tx.user.count()) > 0) abort('REGISTRY_INITIALISED');
    const userId = `u-${ctx.newId()}`;
    const personalDataKey = newPersonalDataKey();
    await tx.user.create({ data: { id: userId, email, name, passwordHash, createdAt: now, personalDataKey } });
    const grantId = ctx.newId();
    await tx.grant.create({ data: { id: grantId, userId, role: 'SYSTEM_ADMIN', sectionId: null, accountId: null, createdAt: now, grantedById: REGISTRY_INIT_ACTOR.userId } });
    // Every grant needs a verified identity (A6R-3): the operators checked it before running this.
    const verificationId = ctx.newId();
    await tx.identityVerification.create({
      data: { id: verificationId, userId, method: 'OTHER', outcome: 'VERIFIED', verifiedById: REGISTRY_INIT_ACTOR.userId, checkedAt: now, createdAt: now, note: 'Checked by the operators who initialised the registry (npm run registry:init).' },
    });
    const { tokenId, expiresAt, link } = await createEnrollmentLink(tx, ctx, { userId, email, name, createdById: REGISTRY_INIT_ACTOR.userId, now }, mail);
    return {
      details: { userId, grantId, role: 'SYSTEM_ADMIN', verificationId, tokenId, expiresAt: expiresAt.toISOString(), personalData: personalDataDigest(personalDataKey, { email, name }) },
      result: { userId, link, expiresAt },
    };
  });
}

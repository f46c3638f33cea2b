import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { db } from '../db/client';
import { getCurrentUser } from '../auth/current-user';
import type { CurrentUser } from '../auth/session-store';
import type { Db } from '../db/client';
import { gate, isPolicyName, type PolicyName } from '../access/policy';
import { ledgerContext } from '../ledger-context';
import type { EnrollmentMail } from '../access/enrollment';
import { appMail } from '../mail/app-mail';
import type { LedgerContext } from '../ledger/types';
import { actorOf } from '../auth/actor';
import { plainMessage } from './plain-messages';
import { unstorableTextAt, unstorableTextMessage } from '../security/unstorable-text';

/** Per-request context: the database, the signed-in user (null for the public), the ledger and the clock. */
export interface Context {
  readonly db: Db;
  readonly user: CurrentUser | null;
  readonly headers: Headers;
  readonly ledger: () => LedgerContext;
  readonly mail: () => EnrollmentMail;
  readonly now: () => Date;
}

export async function createTRPCContext(opts: { headers: Headers }): Promise<Context> {
  return { db: db(), user: await getCurrentUser(), headers: opts.headers, ledger: ledgerContext, mail: appMail, now: () => new Date() };
}

/** Every procedure declares the policy that decides who may call it (server/access/policy.ts). */
export interface Meta {
  readonly policy?: PolicyName;
}

/** The cause of a refusal that a fresh passkey confirmation would lift; the client offers the ceremony. */
export class StepUpRequired extends Error {
  constructor() {
    super('step-up required');
  }
}

const t = initTRPC.context<Context>().meta<Meta>().create({
  transformer: superjson,
  // Validation problems reach the client as a flat list of fields and messages; anything unexpected
  // is reported without its stack.
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    const { stack: _stack, ...data } = shape.data;
    return { ...shape, message: publicMessage(error.code, shape.message, zod), data: { ...data, zodError: zod ? zod.flatten((issue) => plainMessage(issue)) : null, stepUpRequired: error.cause instanceof StepUpRequired } };
  },
});

/**
 * The message the client sees. Invalid input names each field and what is wrong with it; an unexpected
 * failure says only that it happened (the details are in the server's log), never an internal message.
 */
function publicMessage(code: string, message: string, zod: ZodError | null): string {
  if (zod) return zod.issues.map((issue) => plainMessage(issue)).join(' ');
  if (code === 'INTERNAL_SERVER_ERROR') return 'The registry could not complete this request. Nothing was changed; please try again.';
  return message;
}

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Signed in with both factors. A session that has only passed the password step can reach nothing
 * here: it must complete (or enroll) its passkey first.
 */
const signedInProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in.' });
  if (!ctx.user.secondFactorVerified) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please confirm your sign-in with your passkey.' });
  return next({ ctx: { ...ctx, user: ctx.user, actor: actorOf(ctx.user) } });
});

/**
 * The only way to make a procedure: signed in with both factors, and admitted by the named policy,
 * before the input is even parsed. The policy's name is kept in the procedure's meta, where the
 * enumeration test (server/api/policy-coverage.test.ts) reads it.
 */
export function policyProcedure(name: PolicyName) {
  if (!isPolicyName(name)) throw new Error(`Unknown policy ${String(name)}`);
  return signedInProcedure.meta({ policy: name }).use(async ({ ctx, next, getRawInput }) => {
    const decision = gate(name, ctx.actor, ctx.user.stepUpAt, ctx.now());
    if (!decision.allowed) {
      throw new TRPCError({ code: 'FORBIDDEN', message: decision.message, cause: decision.reason === 'STEP_UP_REQUIRED' ? new StepUpRequired() : undefined });
    }
    // Read before any schema parses it: a NUL or a lone surrogate anywhere is a 400 naming the field.
    const unstorable = unstorableTextAt(await getRawInput());
    if (unstorable !== null) throw new TRPCError({ code: 'BAD_REQUEST', message: unstorableTextMessage(unstorable) });
    return next();
  });
}

export { actorOf };

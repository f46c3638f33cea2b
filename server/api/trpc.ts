import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { db } from '../db/client';
import { getCurrentUser } from '../auth/current-user';
import type { CurrentUser } from '../auth/session-store';
import type { Actor } from '../ledger/types';

/** Per-request context: the database and the signed-in user (null for the public). */
export async function createTRPCContext(opts: { headers: Headers }) {
  return { db: db(), user: await getCurrentUser(), headers: opts.headers };
}

type Context = Awaited<ReturnType<typeof createTRPCContext>>;

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Validation problems reach the client as a flat list of fields and messages; anything unexpected
  // is reported without its stack.
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    const { stack: _stack, ...data } = shape.data;
    return { ...shape, message: publicMessage(error.code, shape.message, zod), data: { ...data, zodError: zod ? zod.flatten() : null } };
  },
});

/**
 * The message the client sees. Invalid input names each field and what is wrong with it; an unexpected
 * failure says only that it happened (the details are in the server's log), never an internal message.
 */
function publicMessage(code: string, message: string, zod: ZodError | null): string {
  if (zod) return zod.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join(' ');
  if (code === 'INTERNAL_SERVER_ERROR') return 'The registry could not complete this request. Nothing was changed; please try again.';
  return message;
}

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

/**
 * Signed in with both factors. A session that has only passed the password step can reach nothing
 * here: it must complete (or enroll) its passkey first.
 */
export const signedInProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in.' });
  if (!ctx.user.secondFactorVerified) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please confirm your sign-in with your passkey.' });
  return next({ ctx: { ...ctx, user: ctx.user, actor: actorOf(ctx.user) } });
});

export function actorOf(user: CurrentUser): Actor {
  return { userId: user.userId, impersonatorId: null, grants: user.grants };
}

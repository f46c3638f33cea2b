import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { NO_STORE } from './answer-headers';
import { appRouter } from './root';
import type { Context } from './trpc';

/** The registry's tRPC endpoint: `app/api/trpc/[trpc]/route.ts` serves it, the API tests call it. */
export function handleTrpc(req: Request, createContext: () => Promise<Context> | Context): Promise<Response> {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext,
    // Answers carry personal and account data: no browser or proxy keeps a copy.
    responseMeta: () => ({ headers: new Headers(NO_STORE) }),
    onError({ error, path }) {
      // Unexpected failures are logged on the server with their stack; the client sees only the message.
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed:`, error);
    },
  });
}

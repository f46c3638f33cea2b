import { handleTrpc } from '@/server/api/http-handler';
import { createTRPCContext } from '@/server/api/trpc';

function handler(req: Request) {
  return handleTrpc(req, () => createTRPCContext({ headers: req.headers }));
}

export { handler as GET, handler as POST };

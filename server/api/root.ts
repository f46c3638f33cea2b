import { accountRouter } from './routers/account';
import { apiClientsRouter } from './routers/api-clients';
import { complianceRouter } from './routers/compliance';
import { grantsRouter } from './routers/grants';
import { impersonationRouter } from './routers/impersonation';
import { meRouter } from './routers/me';
import { profileRouter } from './routers/profile';
import { rulesRouter } from './routers/rules';
import { transferRouter } from './routers/transfer';
import { usersRouter } from './routers/users';
import { createCallerFactory, createTRPCRouter } from './trpc';

export const appRouter = createTRPCRouter({
  account: accountRouter,
  transfer: transferRouter,
  me: meRouter,
  profile: profileRouter,
  users: usersRouter,
  grants: grantsRouter,
  impersonation: impersonationRouter,
  apiClients: apiClientsRouter,
  rules: rulesRouter,
  compliance: complianceRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);

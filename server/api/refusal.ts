import { TRPCError } from '@trpc/server';
import { ACCESS_REFUSALS, type AccessResult } from '../access/acts';

/** The one mapping of the access services' refusals to tRPC errors: the code decides the status, the message is shown as it is. */
export function orRefuse<T extends object>(result: AccessResult<T>): { readonly ok: true } & T {
  if (result.ok) return result;
  throw new TRPCError({ code: ACCESS_REFUSALS[result.code].status, message: result.message });
}

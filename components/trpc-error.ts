import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@/server/api/root';

/**
 * The messages a user should read for a failed call: the server's own message for expected errors
 * (not found, not signed in, invalid fields with each field's problem), a generic sentence for
 * anything unexpected, so that no internal detail or stack reaches the page.
 */
export function errorMessages(error: unknown): string[] {
  if (!(error instanceof TRPCClientError)) return ['Something went wrong. Please try again.'];
  const { data } = error as TRPCClientError<AppRouter>;
  if (!data) return ['The registry could not be reached. Check your connection and try again.'];
  if (data.code === 'INTERNAL_SERVER_ERROR') return ['The registry could not complete the request. Please try again in a moment.'];
  const fieldMessages = Object.values(data.zodError?.fieldErrors ?? {}).flat().filter((m): m is string => typeof m === 'string');
  return [error.message, ...fieldMessages];
}

/** True when the server answered that the thing asked for does not exist (or is not the caller's). */
export function isNotFound(error: unknown): boolean {
  return error instanceof TRPCClientError && (error as TRPCClientError<AppRouter>).data?.code === 'NOT_FOUND';
}

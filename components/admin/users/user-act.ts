

/**
 * One act of the user page, named so that each has its own idempotency key (a row's Suspend and
 * Revoke differ): `what` sends the request under the key it is given, `done` is the message for success.
 */
export type Act = (name: string, what: (idempotencyKey: string) => Promise<unknown>, done: string) => Promise<void>;

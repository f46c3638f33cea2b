import type { Db } from '../db/client';
import type { Prisma } from '../db/generated/client';
import { recordAdministrativeAct } from '../ledger/administrative-act';
import type { Actor, LogSigner } from '../ledger/types';
import { abort, lockUser, runAct, type AccessContext, type AccessResult, type Acted } from './acts';

/**
 * One's own passkeys (A6R-6): several may be held; any may be removed as long as one remains, since
 * every sign-in needs a passkey. Removal is a logged act about credentials.
 */
export async function listOwnPasskeys(db: Db, userId: string) {
  return db.webAuthnCredential.findMany({ where: { userId }, orderBy: { createdAt: 'asc' }, select: { id: true, label: true, createdAt: true, lastUsedAt: true } });
}

export function removeOwnPasskey(ctx: AccessContext, actor: Actor, credentialId: string, idempotencyKey?: string): Promise<AccessResult<Acted>> {
  return runAct(ctx, actor, 'PASSKEY_REMOVE', async (tx) => {
    await lockUser(tx, actor.userId);
    const credentials = await tx.webAuthnCredential.findMany({ where: { userId: actor.userId }, select: { id: true } });
    if (!credentials.some((c) => c.id === credentialId)) abort('PASSKEY_NOT_FOUND');
    if (credentials.length < 2) abort('LAST_PASSKEY');
    await tx.webAuthnCredential.delete({ where: { id: credentialId } });
    return { details: { userId: actor.userId, credentialId }, result: {} };
  }, { idempotencyKey, input: { credentialId } });
}

/**
 * The log entry of a new passkey (credential issuance, A6R-50), written by the registration ceremony
 * inside the transaction that stores the credential. The actor is the session's own person: a
 * passkey is always registered by its holder.
 */
export function passkeyRegistrationLogger(signer: LogSigner, userId: string, now: Date, newId: () => string) {
  return async (tx: Prisma.TransactionClient, credentialId: string): Promise<void> => {
    const transactionId = newId();
    await recordAdministrativeAct(tx, signer, {
      kind: 'PASSKEY_REGISTER',
      idempotencyKey: `passkey_register:${transactionId}`,
      transactionId,
      createdAt: now,
      actor: { userId, impersonatorId: null, grants: [] },
      details: { userId, credentialId },
    });
  };
}

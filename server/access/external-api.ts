import type { Db } from '../db/client';
import { accountBlocks } from '../ledger/queries';
import type { Actor } from '../ledger/types';
import { recordRead } from './access-log';
import { verifySignedRequest, type SignedRequest } from './api-clients';
import { gate } from './policy';

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * GET /api/external/v1/accounts/{id}: the holdings of one account, for an external system whose
 * active EXTERNAL_SYSTEM grant covers that account (A6R-8). The signature is checked first, then the
 * policy, then the grant's scope; every answer with data is an access-logged read.
 */
export async function externalAccountHoldings(db: Db, request: SignedRequest, accountId: string, now: Date): Promise<ApiAnswer> {
  const verified = await verifySignedRequest(db, request, now);
  if (!verified.ok) return { status: 401, body: { code: verified.code, error: verified.message } };
  const user = await db.user.findUnique({ where: { id: verified.userId }, select: { status: true, grants: { where: { status: 'ACTIVE' }, select: { role: true, sectionId: true, accountId: true } } } });
  if (!user || user.status !== 'ACTIVE') return { status: 401, body: { code: 'CLIENT_UNKNOWN', error: 'The client is unknown or its registration has been revoked.' } };
  const actor: Actor = { userId: verified.userId, impersonatorId: null, grants: user.grants };
  const decision = gate('external.account.read', actor, null, now);
  if (!decision.allowed) return { status: 403, body: { code: decision.reason, error: decision.message } };
  if (!actor.grants.some((g) => g.role === 'EXTERNAL_SYSTEM' && g.accountId === accountId)) {
    return { status: 404, body: { code: 'ACCOUNT_NOT_GRANTED', error: `There is no account ${accountId} within this client's grants.` } };
  }
  await recordRead(db, actor, 'external.account.read', accountId, now);
  const blocks = await accountBlocks(db, accountId);
  const balance = blocks.reduce((sum, b) => sum + b.quantity, 0n);
  return {
    status: 200,
    body: {
      accountId,
      balance: balance.toString(),
      blocks: blocks.map((b) => ({ seriesId: b.seriesId, firstSerial: b.firstSerial.toString(), lastSerial: b.lastSerial.toString(), quantity: b.quantity.toString(), unitType: b.unitType, hostParty: b.hostParty, vintage: b.vintage, serialRange: b.serialRange })),
    },
  };
}

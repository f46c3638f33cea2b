import { randomUUID } from 'node:crypto';
import { db } from './db/client';
import { env } from './env';
import { ed25519Signer } from './ledger/signer';
import type { LedgerContext } from './ledger/types';

let cached: LedgerContext | undefined;

/** The application's ledger context: the shared database, the registry's signing key, wall-clock time. */
export function ledgerContext(): LedgerContext {
  cached ??= { db: db(), signer: ed25519Signer(env().LEDGER_SIGNING_KEY), now: () => new Date(), newId: randomUUID };
  return cached;
}

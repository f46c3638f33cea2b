import { db } from './db/client';
import { env } from './env';
import { createLedgerContext } from './ledger/context';
import { ed25519Signer } from './ledger/signer';
import type { LedgerContext } from './ledger/types';

const globalForLedger = globalThis as unknown as { registryLedger?: LedgerContext };

/** The application's ledger context: the shared database, the registry's signing key, wall-clock time. */
export function ledgerContext(): LedgerContext {
  if (!globalForLedger.registryLedger) {
    const e = env();
    globalForLedger.registryLedger = createLedgerContext({ db: db(), databaseUrl: e.DATABASE_URL, signer: ed25519Signer(e.LEDGER_SIGNING_KEY), poolSize: e.DATABASE_POOL_SIZE });
  }
  return globalForLedger.registryLedger;
}

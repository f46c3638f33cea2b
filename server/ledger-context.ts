import { db } from './db/client';
import { env } from './env';
import { complianceMonitor } from './ledger/compliance/monitor';
import { createLedgerContext } from './ledger/context';
import { ed25519Signer } from './ledger/signer';
import { createLedgerPool } from './ledger/sql';
import type { LedgerContext } from './ledger/types';

const globalForLedger = globalThis as unknown as { registryLedger?: LedgerContext };

/** The application's ledger context: the shared database, the registry's signing key, wall-clock time. */
export function ledgerContext(): LedgerContext {
  if (!globalForLedger.registryLedger) {
    const e = env();
    const context = createLedgerContext({ db: db(), databaseUrl: e.DATABASE_URL, signer: ed25519Signer(e.LEDGER_SIGNING_KEY), poolSize: e.DATABASE_POOL_SIZE });
    // Compliance rules (A6R-19) after each recorded transaction, on what it touched, recorded as runs
    // on the administrators' compliance page. The monitor only notes the transaction when it is told
    // of it, after the commit; its runs use one connection of their own, so that a transfer never
    // waits for a connection or a lock they hold (server/ledger/compliance/monitor.ts).
    const monitor = complianceMonitor({ ...context, pool: createLedgerPool(e.DATABASE_URL, 1) });
    globalForLedger.registryLedger = { ...context, notify: (_proposal, outcome) => monitor.notice(outcome) };
  }
  return globalForLedger.registryLedger;
}

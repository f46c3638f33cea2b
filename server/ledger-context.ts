import { db } from './db/client';
import { env } from './env';
import { complianceAfterEachTransaction } from './ledger/compliance/run-compliance';
import { createLedgerContext } from './ledger/context';
import { ed25519Signer } from './ledger/signer';
import type { LedgerContext } from './ledger/types';

const globalForLedger = globalThis as unknown as { registryLedger?: LedgerContext };

/** The application's ledger context: the shared database, the registry's signing key, wall-clock time. */
export function ledgerContext(): LedgerContext {
  if (!globalForLedger.registryLedger) {
    const e = env();
    const context = createLedgerContext({ db: db(), databaseUrl: e.DATABASE_URL, signer: ed25519Signer(e.LEDGER_SIGNING_KEY), poolSize: e.DATABASE_POOL_SIZE });
    // Compliance rules (A6R-19) after each recorded transaction, on what it touched; not awaited, so
    // that they add nothing to the transaction's time. Findings go to the server's log; the full
    // report is on the administrators' compliance page.
    const compliance = complianceAfterEachTransaction(context.pool, (report) => {
      for (const r of report.results) for (const f of r.findings) console.warn(`compliance: ${r.rule} v${r.version} after ${report.transactionId}: ${f.accountId}: ${f.message}`);
    });
    globalForLedger.registryLedger = {
      ...context,
      notify: (proposal, outcome) => {
        compliance(proposal, outcome).catch((error: unknown) => console.error(`compliance: after ${outcome.transactionId ?? proposal.idempotencyKey}: ${error instanceof Error ? error.message : String(error)}`));
      },
    };
  }
  return globalForLedger.registryLedger;
}

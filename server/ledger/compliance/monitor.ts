import type { Outcome } from '../types';
import { recordComplianceRun, type ComplianceContext, type RecordedRun } from './record-run';

export interface ComplianceMonitor {
  /** Notes a committed outcome; returns at once. The ledger's notification step (LedgerContext.notify). */
  notice(outcome: Outcome): void;
  /** Resolves once every outcome noticed so far has been judged (for tests and an orderly shutdown). */
  idle(): Promise<void>;
}

export interface MonitorOptions {
  /** Transactions waiting beyond this are not listed one by one: the next run judges the whole registry. */
  readonly maxPending?: number;
  readonly onRun?: (run: RecordedRun) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Compliance after each transaction (A6R-19), kept off the transfer's path: `notice` only adds the
 * transaction's id to a set, after its commit. One run at a time then judges every transaction noticed
 * since the previous run, together, on the accounts they touched. Under load the runs grow rather than
 * multiply, so the checks cost the ledger at most one connection of the pool they are given (best a
 * pool of their own) and never a lock a transfer takes. A run that fails is reported and not retried:
 * the next on-demand run judges the whole registry.
 */
export function complianceMonitor(ctx: ComplianceContext, options: MonitorOptions = {}): ComplianceMonitor {
  const maxPending = options.maxPending ?? 10_000;
  const onError = options.onError ?? ((error: unknown) => console.error(`compliance: a run after transactions failed: ${error instanceof Error ? error.message : String(error)}`));
  let pending = new Set<string>();
  let overflow = false;
  let draining: Promise<void> | null = null;

  async function drain(): Promise<void> {
    while (pending.size > 0 || overflow) {
      const transactionIds = overflow ? null : [...pending].sort();
      pending = new Set();
      overflow = false;
      try {
        const run = await recordComplianceRun(ctx, { trigger: 'TRANSACTION', transactionIds });
        if (run) options.onRun?.(run);
      } catch (error) {
        onError(error);
      }
    }
  }

  function start(): void {
    if (draining) return;
    // Deferred to the next turn of the event loop: the caller's reply goes out first.
    draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(drain)
      .finally(() => {
        draining = null;
        if (pending.size > 0 || overflow) start();
      });
  }

  return {
    notice(outcome) {
      if (outcome.status !== 'RECORDED' || outcome.replayed) return;
      if (overflow) return;
      if (pending.size >= maxPending) {
        overflow = true;
        pending = new Set();
      } else {
        pending.add(outcome.transactionId);
      }
      start();
    },
    async idle() {
      while (draining) await draining;
    },
  };
}

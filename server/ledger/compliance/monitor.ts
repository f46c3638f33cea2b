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
  /** Told of every failed run; the run is tried again (see `retryDelaysMs`). */
  readonly onError?: (error: unknown) => void;
  /**
   * The waits before trying a failed run again, one per consecutive failure; the last one repeats
   * until a run succeeds. Default: 1 s, 5 s, 30 s, then every 2 minutes.
   */
  readonly retryDelaysMs?: readonly number[];
}

const RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000];

/**
 * Compliance after each transaction (A6R-19), kept off the transfer's path: `notice` only adds the
 * transaction's id to a set, after its commit. One run at a time then judges every transaction noticed
 * since the previous run, together, on the accounts they touched. Under load the runs grow rather than
 * multiply, so the checks cost the ledger at most one connection of the pool they are given (best a
 * pool of their own) and never a lock a transfer takes. A run that fails (the database unreachable, a
 * deadlock) is reported and its transactions wait for the next run, tried again after a growing pause:
 * no committed transaction goes unjudged because a run failed. Transactions noticed meanwhile join it.
 */
export function complianceMonitor(ctx: ComplianceContext, options: MonitorOptions = {}): ComplianceMonitor {
  const maxPending = options.maxPending ?? 10_000;
  const onError = options.onError ?? ((error: unknown) => console.error(`compliance: a run after transactions failed (it will be tried again): ${error instanceof Error ? error.message : String(error)}`));
  const retryDelays = options.retryDelaysMs && options.retryDelaysMs.length > 0 ? options.retryDelaysMs : RETRY_DELAYS_MS;
  let pending = new Set<string>();
  let overflow = false;
  let draining: Promise<void> | null = null;
  let failures = 0;

  /** Puts a failed run's transactions back with whatever was noticed since: the next run judges them all. */
  function restore(transactionIds: readonly string[] | null): void {
    if (transactionIds === null || overflow || pending.size + transactionIds.length > maxPending) {
      overflow = true;
      pending = new Set();
    } else {
      for (const id of transactionIds) pending.add(id);
    }
  }

  async function drain(): Promise<void> {
    while (pending.size > 0 || overflow) {
      const transactionIds = overflow ? null : [...pending].sort();
      pending = new Set();
      overflow = false;
      try {
        const run = await recordComplianceRun(ctx, { trigger: 'TRANSACTION', transactionIds });
        failures = 0;
        if (run) options.onRun?.(run);
      } catch (error) {
        restore(transactionIds);
        const delay = retryDelays[Math.min(failures, retryDelays.length - 1)] as number;
        failures++;
        try {
          onError(error);
        } finally {
          // Unreferenced: a pending retry does not keep the process alive on its own.
          await new Promise<void>((resolve) => setTimeout(resolve, delay).unref());
        }
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

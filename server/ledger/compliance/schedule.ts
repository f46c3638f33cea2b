import { recordComplianceRun, type ComplianceContext, type RecordedRun } from './record-run';

export interface ComplianceTick {
  /** The run recorded; null when no compliance rule is configured (nothing was written). */
  readonly run: RecordedRun | null;
  /** False when the tick was skipped because the previous one was still running. */
  readonly ran: boolean;
}

export interface ComplianceSchedule {
  /** One scheduled run now (what the timer calls), on the whole registry as of the ledger's clock. */
  tick(): Promise<ComplianceTick>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export interface ComplianceScheduleOptions {
  /** Milliseconds between runs; 0 creates no timer (runs only when called). */
  readonly intervalMs: number;
  readonly log?: (line: string) => void;
}

/**
 * Runs every compliance check on the whole registry periodically inside the running registry
 * (A6R-19). Checks run after each transaction only on what it touched, and on demand; some end states
 * are broken by time alone (a balance that grows too old in a pending account), and only a run at a
 * later moment finds them. Single-flight in this process: a tick that comes while a run is still
 * going is skipped, never queued. Across processes, runs are serialized by the compliance lock and a
 * problem is never opened twice, so several server processes may each run the schedule.
 */
export function scheduleComplianceRuns(ctx: ComplianceContext, options: ComplianceScheduleOptions): ComplianceSchedule {
  if (!Number.isInteger(options.intervalMs) || options.intervalMs < 0) throw new Error(`compliance schedule: the interval must be a whole number of milliseconds, got ${options.intervalMs}`);
  const log = options.log ?? ((line: string) => console.log(line));
  let running: Promise<ComplianceTick> | null = null;

  async function once(): Promise<ComplianceTick> {
    const run = await recordComplianceRun(ctx, { trigger: 'SCHEDULED' });
    if (run && (run.opened > 0 || run.resolved > 0)) log(`compliance: scheduled run ${run.runId} opened ${run.opened} and resolved ${run.resolved} finding(s)`);
    return { run, ran: true };
  }

  function tick(): Promise<ComplianceTick> {
    if (running) return Promise.resolve({ run: null, ran: false });
    running = once().finally(() => {
      running = null;
    });
    return running;
  }

  const timer =
    options.intervalMs > 0
      ? setInterval(() => {
          tick().catch((error: unknown) => log(`compliance: a scheduled run failed: ${error instanceof Error ? error.message : String(error)}`));
        }, options.intervalMs)
      : null;
  // The timer alone never keeps the process alive: the server's own handles do.
  timer?.unref();

  return {
    tick,
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

import { periodic, type Periodic } from '../periodic';
import { recordComplianceRun, type ComplianceContext, type RecordedRun } from './record-run';

export interface ComplianceTick {
  /** The run recorded; null when no compliance rule is configured (nothing was written). */
  readonly run: RecordedRun | null;
  /** False when the tick was skipped because the previous one was still running. */
  readonly ran: boolean;
}

/** `tick` runs once now; `stop` ends the timer and waits for a run in progress (periodic.ts). */
export type ComplianceSchedule = Periodic<ComplianceTick>;

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
  const log = options.log ?? ((line: string) => console.log(line));

  async function once(): Promise<ComplianceTick> {
    const run = await recordComplianceRun(ctx, { trigger: 'SCHEDULED' });
    if (run && (run.opened > 0 || run.resolved > 0)) log(`compliance: scheduled run ${run.runId} opened ${run.opened} and resolved ${run.resolved} finding(s)`);
    return { run, ran: true };
  }

  return periodic('compliance', options.intervalMs, once, { run: null, ran: false }, log);
}

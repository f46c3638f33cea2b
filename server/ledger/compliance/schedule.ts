import { recordComplianceRun, type ComplianceContext, type RecordedRun } from './record-run';

/**
 * One scheduled run of every compliance check on the whole registry (A6R-19): the registry's scheduled
 * job `compliance-run` (server/jobs/registry-jobs.ts). Checks run after each transaction only on what it
 * touched, and on demand; some end states are broken by time alone (a balance that grows too old in a
 * pending account), and only a run at a later moment finds them. Runs are serialized across processes
 * by the compliance lock and a problem is never opened twice. Returns null when no compliance rule is
 * configured (nothing was written).
 */
export async function scheduledComplianceRun(ctx: ComplianceContext, log: (line: string) => void): Promise<RecordedRun | null> {
  const run = await recordComplianceRun(ctx, { trigger: 'SCHEDULED' });
  if (run && (run.opened > 0 || run.resolved > 0)) log(`compliance: scheduled run ${run.runId} opened ${run.opened} and resolved ${run.resolved} finding(s)`);
  return run;
}

/**
 * Called once when a server process starts (Next.js instrumentation hook): starts the registry's job
 * worker (server/jobs/start.ts). Only in the Node.js runtime, and never while building.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  const { startJobs } = await import('./server/jobs/start');
  await startJobs();
}

/** Periodic work of the running registry: a tick now, or every `intervalMs`, never two at once. */
export interface Periodic<T> {
  /** One run now (what the timer calls); `skipped` when the previous one is still running. */
  tick(): Promise<T>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMs` (0: no timer, only when `tick` is called). Single-flight in this
 * process: a tick that comes while a run is going returns `skipped` at once, never queued. A failed
 * timer run is logged as `<name>: a run failed: …`; a failed `tick` rejects to its caller.
 */
export function periodic<T>(name: string, intervalMs: number, work: () => Promise<T>, skipped: T, log: (line: string) => void): Periodic<T> {
  if (!Number.isInteger(intervalMs) || intervalMs < 0) throw new Error(`${name}: the interval must be a whole number of milliseconds, got ${intervalMs}`);
  let running: Promise<T> | null = null;

  function tick(): Promise<T> {
    if (running) return Promise.resolve(skipped);
    running = work().finally(() => {
      running = null;
    });
    return running;
  }

  const timer =
    intervalMs > 0
      ? setInterval(() => {
          tick().catch((error: unknown) => log(`${name}: a run failed: ${error instanceof Error ? error.message : String(error)}`));
        }, intervalMs)
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

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
const NEXT_BIN = path.join(PROJECT_ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const SOURCES = ['app', 'server', 'components', 'public', 'next.config.mjs', 'package.json', 'postcss.config.mjs'];

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === 'generated' || entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** True when there is no production build or a source file changed after it was made. */
export function buildIsStale(): boolean {
  const buildId = path.join(PROJECT_ROOT, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(PROJECT_ROOT, s)) > builtAt);
}

/** Builds the application for production when needed; the build itself needs no database. */
export function ensureBuild(log: (line: string) => void = console.log): void {
  if (!buildIsStale()) return;
  log('Building the registry for production (next build, about a minute)…');
  const result = spawnSync(process.execPath, [NEXT_BIN, 'build'], { cwd: PROJECT_ROOT, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) throw new Error('next build failed: see the messages above.');
}

const SERVE = path.join(PROJECT_ROOT, 'scripts', 'serve.ts');
const TSX = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');

/**
 * Starts the registry's web server (scripts/serve.ts: the production build behind the server that
 * stamps each request with its connection's address) as a child process with the given environment.
 */
export function startNext(port: number, env: Record<string, string>) {
  return spawn(process.execPath, ['--import', TSX, SERVE, '--port', String(port), '--host', '127.0.0.1'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
}

/** Waits until the server answers on its URL, or fails after `timeoutMs` or once `gaveUp()` is true. */
export async function waitForServer(url: string, timeoutMs = 60_000, gaveUp: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error(`The registry stopped before it answered on ${url}.`);
    try {
      const response = await fetch(url, { redirect: 'manual' });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The registry did not answer on ${url} within ${timeoutMs / 1000} s.`);
}

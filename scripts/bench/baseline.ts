/**
 * `npm run bench:ledger -- --baseline <commit>`: the ledger's transfer rate of the current tree and of
 * an older commit, measured in the same run, alternately, so that the ratio compares like with like
 * on a shared machine. The older commit is checked out into a temporary git worktree outside the
 * repository (with this tree's node_modules and its own generated Prisma client), and removed again.
 * Each round runs scripts/bench/transfer-rate.ts of the current tree and the same file copied into
 * the checkout (it uses only what both have), the one that goes first alternating from round to round
 * (a tree measured always second would always meet the machine a little later, warmer or busier); the
 * figures are totals over the rounds.
 *
 * Environment: BENCH_SECONDS (default 15, split across BENCH_ROUNDS rounds, default 3).
 * Last line: `bench-ledger: transfers current=<tx/s> baseline=<tx/s> (<commit>) ratio=<current/baseline>`.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

/** One measurement in a tree: transfers and seconds. */
function measure(tree: string, seconds: number): { transfers: number; seconds: number } {
  const out = run(process.execPath, ['--import', 'tsx', path.join(tree, 'scripts', 'bench', 'transfer-rate.ts'), String(seconds)], tree);
  const match = /transfer-rate: (\d+) ([0-9.]+)/.exec(out);
  if (!match) throw new Error(`transfer-rate printed no figure in ${tree}: ${out}`);
  return { transfers: Number(match[1]), seconds: Number(match[2]) };
}

export function compareWithBaseline(commit: string): void {
  if (!/^[0-9a-f]{7,40}$/i.test(commit)) throw new Error(`--baseline: a commit hash, got "${commit}"`);
  const full = run('git', ['rev-parse', '--verify', `${commit}^{commit}`], ROOT).trim();
  const seconds = Number(process.env.BENCH_SECONDS ?? 15);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  if (!Number.isFinite(seconds) || seconds < 1 || !Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error('BENCH_SECONDS ≥ 1 and BENCH_ROUNDS from 1 to 20');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'registry-baseline-'));
  const tree = path.join(dir, 'tree');
  console.log(`bench-ledger: transfers of the current tree against ${full.slice(0, 12)}, ${rounds} rounds of ${(seconds / rounds).toFixed(1)} s each, alternately`);
  run('git', ['worktree', 'add', '--detach', tree, full], ROOT);
  try {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
    run(process.execPath, [path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js'), 'generate'], tree, { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true' });
    copyFileSync(path.join(ROOT, 'scripts', 'bench', 'transfer-rate.ts'), path.join(tree, 'scripts', 'bench', 'transfer-rate.ts'));
    const totals = { current: { transfers: 0, seconds: 0 }, baseline: { transfers: 0, seconds: 0 } };
    for (let round = 1; round <= rounds; round++) {
      const sides = [['current', ROOT], ['baseline', tree]] as const;
      for (const [name, where] of round % 2 === 1 ? sides : [...sides].reverse()) {
        const m = measure(where, seconds / rounds);
        totals[name].transfers += m.transfers;
        totals[name].seconds += m.seconds;
        console.log(`  round ${round} ${name}: ${(m.transfers / m.seconds).toFixed(0)} transfers/s`);
      }
    }
    const current = totals.current.transfers / totals.current.seconds;
    const baseline = totals.baseline.transfers / totals.baseline.seconds;
    console.log(`bench-ledger: transfers current=${current.toFixed(0)}/s baseline=${baseline.toFixed(0)}/s (${full.slice(0, 12)}) ratio=${(current / baseline).toFixed(2)}`);
  } finally {
    // The link first, so that nothing removing the worktree can reach this tree's node_modules through it.
    try {
      unlinkSync(path.join(tree, 'node_modules'));
    } catch {
      // Never made: the checkout failed before it.
    }
    run('git', ['worktree', 'remove', '--force', tree], ROOT);
    rmSync(dir, { recursive: true, force: true });
  }
}

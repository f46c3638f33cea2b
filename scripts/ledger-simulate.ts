// Reproduces a ledger simulation by seed, against a fresh database on the test server:
//
//   npm run ledger:simulate -- --seed <n> [--operations <n>] [--probe-regressions | --probe <name> ...]
//                              [--invariant-every <n>] [--burst-weight <n>]
//
// --burst-weight <n> draws concurrent bursts n times as often (the workload changes with it).
// --probe-regressions also generates proposals aimed at every disagreement the simulation ever found
// between the ledger and the model, all fixed since (REGRESSION_PROBES in
// server/ledger/simulation/regression-probes.ts); --probe <name> at that one only. The former name
// --probe-known-issues is still accepted, so that commands printed by earlier runs still work.
// The database is created on TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
// and dropped afterwards, whatever happens. Exit status 1 on the first disagreement between the ledger
// and the model, with the seed, the step, the proposal and this command to run it again.
import { createTestDatabase } from '../server/testing/test-database';
import { REGRESSION_PROBES, type RegressionProbe } from '../server/ledger/simulation/regression-probes';
import { simulate, SimulationMismatch } from '../server/ledger/simulation/run';
import { dropTestDatabase, relaxDurability } from '../server/ledger/simulation/throwaway-database';

interface Arguments {
  readonly seed: number;
  readonly operations: number;
  readonly probeRegressions: boolean | RegressionProbe[];
  readonly invariantEvery: number | undefined;
  readonly burstWeight: number | undefined;
}

const USAGE = `usage: npm run ledger:simulate -- --seed <n> [--operations <n>] [--probe-regressions | --probe <name> ...] [--invariant-every <n>] [--burst-weight <n>]
regression probes: ${Object.keys(REGRESSION_PROBES).join(', ')}`;

function parseArguments(argv: readonly string[]): Arguments {
  let seed: number | undefined;
  let operations = 10_000;
  let probeRegressions: boolean | RegressionProbe[] = false;
  let invariantEvery: number | undefined;
  let burstWeight: number | undefined;
  const integer = (name: string, value: string | undefined) => {
    const n = Number(value);
    if (value === undefined || !Number.isSafeInteger(n) || n < 0) throw new Error(`${name} needs a non-negative integer\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seed') seed = integer('--seed', argv[++i]);
    else if (arg === '--operations') operations = integer('--operations', argv[++i]);
    else if (arg === '--invariant-every') invariantEvery = integer('--invariant-every', argv[++i]);
    else if (arg === '--burst-weight') burstWeight = integer('--burst-weight', argv[++i]);
    else if (arg === '--probe-regressions' || arg === '--probe-known-issues') probeRegressions = true;
    else if (arg === '--probe') {
      const name = argv[++i];
      if (name === undefined || !(name in REGRESSION_PROBES)) throw new Error(`--probe needs one of: ${Object.keys(REGRESSION_PROBES).join(', ')}`);
      if (probeRegressions !== true) probeRegressions = [...(probeRegressions || []), name as RegressionProbe];
    }
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (seed === undefined) throw new Error(`--seed is required\n${USAGE}`);
  if (operations < 1) throw new Error(`--operations must be at least 1\n${USAGE}`);
  return { seed, operations, probeRegressions, invariantEvery, burstWeight };
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const test = await createTestDatabase('ledger_simulate');
  await relaxDurability(test.url);
  // A controlled clock: 1 ms per reading, so that every transaction has its own timestamp.
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  const ctx = test.ledger({ now: () => new Date(clock++), poolSize: 12 });
  const probing = args.probeRegressions === true ? 'every regression probe' : args.probeRegressions === false ? '' : args.probeRegressions.join(', ');
  console.log(`simulating seed ${args.seed}, ${args.operations} operations${probing ? `, probing ${probing}` : ''}, database ${new URL(test.url).pathname.slice(1)}`);
  try {
    const report = await simulate({ seed: args.seed, operations: args.operations, ctx, probeRegressions: args.probeRegressions, invariantEvery: args.invariantEvery, burstWeight: args.burstWeight, log: (line) => console.log(line) });
    const labels = Object.entries(report.byLabel).sort((a, b) => b[1] - a[1]);
    console.log(`ok: ${report.invariantChecks} invariant checks passed; proposals by kind:`);
    for (const [label, n] of labels) console.log(`  ${String(n).padStart(6)}  ${label}`);
    return 0;
  } catch (error) {
    if (error instanceof SimulationMismatch) {
      console.error(`\nDISAGREEMENT\n${error.message}`);
      const probed = args.probeRegressions === true ? Object.keys(REGRESSION_PROBES) : args.probeRegressions === false ? [] : args.probeRegressions;
      if (probed.length > 0) console.error(`\nregression probes aimed at:\n${probed.map((k) => `  ${k}: ${REGRESSION_PROBES[k as RegressionProbe]}`).join('\n')}`);
      return 1;
    }
    throw error;
  } finally {
    await dropTestDatabase(test);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(2);
  },
);

// Reproduces a ledger simulation by seed, against a fresh database on the test server:
//
//   npm run ledger:simulate -- --seed <n> [--operations <n>] [--probe-known-issues | --probe <issue> ...]
//                              [--invariant-every <n>] [--burst-weight <n>]
//
// --burst-weight <n> draws concurrent bursts n times as often (the workload changes with it).
// --probe-known-issues also generates proposals that hit the known disagreements between the ledger
// and the model (KNOWN_ISSUES in server/ledger/simulation/simulate.ts); --probe <issue> only that one.
// The database is created on TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
// and dropped afterwards, whatever happens. Exit status 1 on the first disagreement between the ledger
// and the model, with the seed, the step, the proposal and this command to run it again.
import { createTestDatabase } from '../server/testing/test-database';
import { dropTestDatabase, KNOWN_ISSUES, relaxDurability, simulate, SimulationMismatch, type KnownIssue } from '../server/ledger/simulation/simulate';

interface Arguments {
  readonly seed: number;
  readonly operations: number;
  readonly probeKnownIssues: boolean | KnownIssue[];
  readonly invariantEvery: number | undefined;
  readonly burstWeight: number | undefined;
}

const USAGE = `usage: npm run ledger:simulate -- --seed <n> [--operations <n>] [--probe-known-issues | --probe <issue> ...] [--invariant-every <n>] [--burst-weight <n>]
known issues: ${Object.keys(KNOWN_ISSUES).join(', ')}`;

function parseArguments(argv: readonly string[]): Arguments {
  let seed: number | undefined;
  let operations = 10_000;
  let probeKnownIssues: boolean | KnownIssue[] = false;
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
    else if (arg === '--probe-known-issues') probeKnownIssues = true;
    else if (arg === '--probe') {
      const name = argv[++i];
      if (name === undefined || !(name in KNOWN_ISSUES)) throw new Error(`--probe needs one of: ${Object.keys(KNOWN_ISSUES).join(', ')}`);
      if (probeKnownIssues !== true) probeKnownIssues = [...(probeKnownIssues || []), name as KnownIssue];
    }
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (seed === undefined) throw new Error(`--seed is required\n${USAGE}`);
  if (operations < 1) throw new Error(`--operations must be at least 1\n${USAGE}`);
  return { seed, operations, probeKnownIssues, invariantEvery, burstWeight };
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const test = await createTestDatabase('ledger_simulate');
  await relaxDurability(test.url);
  // A controlled clock: 1 ms per reading, so that every transaction has its own timestamp.
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  const ctx = test.ledger({ now: () => new Date(clock++), poolSize: 12 });
  const probing = args.probeKnownIssues === true ? 'all known issues' : args.probeKnownIssues === false ? '' : args.probeKnownIssues.join(', ');
  console.log(`simulating seed ${args.seed}, ${args.operations} operations${probing ? `, probing ${probing}` : ''}, database ${new URL(test.url).pathname.slice(1)}`);
  try {
    const report = await simulate({ seed: args.seed, operations: args.operations, ctx, probeKnownIssues: args.probeKnownIssues, invariantEvery: args.invariantEvery, burstWeight: args.burstWeight, log: (line) => console.log(line) });
    const labels = Object.entries(report.byLabel).sort((a, b) => b[1] - a[1]);
    console.log(`ok: ${report.invariantChecks} invariant checks passed; proposals by kind:`);
    for (const [label, n] of labels) console.log(`  ${String(n).padStart(6)}  ${label}`);
    return 0;
  } catch (error) {
    if (error instanceof SimulationMismatch) {
      console.error(`\nDISAGREEMENT\n${error.message}`);
      const probed = args.probeKnownIssues === true ? Object.keys(KNOWN_ISSUES) : args.probeKnownIssues === false ? [] : args.probeKnownIssues;
      if (probed.length > 0) console.error(`\nknown issues probed:\n${probed.map((k) => `  ${k}: ${KNOWN_ISSUES[k as KnownIssue]}`).join('\n')}`);
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

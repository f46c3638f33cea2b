import { ruleCatalog } from '../ledger/rules/queries';

/**
 * The application's clock in tests. A test that depends on which rule versions are in force starts its
 * clock here: at the moment the test names, unless `REGISTRY_TEST_CLOCK` (ISO-8601) moves it. The
 * clock-ahead test moves it past every version the catalogs publish, so that a test which passes today
 * and would fail once a new version takes over fails today instead. Only the application's clock moves:
 * PostgreSQL keeps its own.
 */
export const TEST_CLOCK_VARIABLE = 'REGISTRY_TEST_CLOCK';

const DAY_MS = 24 * 3_600_000;

/**
 * Milliseconds since the epoch at which a test's clock starts: `fallback`, or, when the clock is moved,
 * the moved day at `fallback`'s time of day (a test that reasons about "the next midnight" keeps its
 * hours).
 */
export function testClockStart(fallback: string): number {
  const named = Date.parse(fallback);
  if (Number.isNaN(named)) throw new Error(`${fallback} is not an ISO-8601 time`);
  const moved = process.env[TEST_CLOCK_VARIABLE];
  if (moved === undefined || moved === '') return named;
  const day = Date.parse(moved);
  if (Number.isNaN(day)) throw new Error(`${TEST_CLOCK_VARIABLE}=${moved} is not an ISO-8601 time`);
  return day - (day % DAY_MS) + (named % DAY_MS);
}

/** The latest `effectiveFrom` of any version of any rule in the catalogs (built-in, pluggable, compliance). */
export function latestEffectiveFrom(): string {
  const starts = ruleCatalog().map((v) => v.effectiveFrom).sort();
  const latest = starts.at(-1);
  if (latest === undefined) throw new Error('the rule catalogs publish no version');
  return latest;
}

/** The version of each named rule (built-in, pluggable or compliance) in force at `at`, as the catalogs publish them. */
export function versionsInForce(at: number, names: readonly string[]): Record<string, number> {
  const iso = new Date(at).toISOString();
  const catalog = ruleCatalog();
  return Object.fromEntries(
    names.map((name) => {
      const started = catalog.filter((v) => v.name === name && v.effectiveFrom <= iso && (v.retiresAt === null || v.retiresAt > iso));
      const latest = started.sort((a, b) => a.version - b.version).at(-1);
      if (latest === undefined) throw new Error(`no version of ${name} is in force at ${iso}`);
      return [name, latest.version];
    }),
  );
}

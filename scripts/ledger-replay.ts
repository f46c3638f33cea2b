/**
 * Replays the log as of a moment into a fresh scratch database and compares the state it rebuilds with
 * the live state as of the same moment (A6R-48, invariant 6).
 *
 *   npm run ledger:replay -- --at 2026-05-01T12:00:00Z          replay up to that moment
 *   npm run ledger:replay -- --at 2026-05-01T12:00:00Z --keep   and keep the scratch database
 *   npm run ledger:replay                                       up to now
 *
 * The database is DATABASE_URL. The scratch database, `<db>_replay_<random>`, is created on the same
 * server (CREATEDB privilege needed), migrated, filled in bulk from the replay and dropped afterwards
 * unless --keep. The log and the live tables are read in one snapshot. The last line reads:
 *
 *   replay: at=<iso> entries=<n> state_hash=<hex> live_state_hash=<hex> match=<true|false> entries_per_s=<n>
 *
 * Exit status: 0 the states match, 1 they differ or something failed, 2 wrong usage.
 */
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { replayLog, ReplayError, type ReplayResult } from '../server/ledger/replay';
import { rebuildInto } from '../server/ledger/replay/rebuild';
import { createScratchDatabase, type ScratchDatabase } from '../server/ledger/replay/scratch-database';
import { createLedgerPool } from '../server/ledger/sql';
import { firstDifference, liveStateAt, stateHash, type RegistryState } from '../server/ledger/state';
import { checkConnection, DatabaseToolError, explainConnectionError, parseDatabaseUrl, type ConnectionSettings } from '../server/db/schema-engine';

const USAGE = `Usage: npm run ledger:replay -- [--at <ISO-8601>] [--keep]

  --at <time>   the moment to replay to, ISO-8601, e.g. 2026-05-01T12:00:00Z (default: now).
                A time without a zone is UTC; digits beyond milliseconds are dropped.
  --keep        keep the scratch database (its URL is printed) instead of dropping it.

DATABASE_URL names the registry database.`;

export class UsageError extends Error {}

export interface ReplayInvocation {
  readonly at: Date | null;
  readonly keep: boolean;
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Parses an ISO-8601 moment strictly: a real calendar date, a zone or UTC, milliseconds at most. */
export function parseMoment(text: string): Date {
  const m = ISO_8601.exec(text.trim());
  if (!m) throw new UsageError(`--at "${text}" is not an ISO-8601 time; expected e.g. 2026-05-01T12:00:00Z`);
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = m;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${offset}`);
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const valid = !Number.isNaN(date.getTime()) && calendar.getUTCMonth() === Number(month) - 1 && calendar.getUTCDate() === Number(day) && Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60;
  if (!valid) throw new UsageError(`--at "${text}" is not a valid time`);
  return date;
}

export function parseArguments(argv: readonly string[]): ReplayInvocation | 'help' {
  let at: Date | null = null;
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--keep') keep = true;
    else if (arg === '--at' || arg.startsWith('--at=')) {
      const value = arg === '--at' ? argv[++i] : arg.slice('--at='.length);
      if (value === undefined || value === '') throw new UsageError('--at needs a time, e.g. --at 2026-05-01T12:00:00Z');
      at = parseMoment(value);
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  return { at, keep };
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** Replays and reads the live state in one snapshot, so that writes going on meanwhile touch neither. */
async function replayAndLive(pool: pg.Pool, at: Date): Promise<{ replayed: ReplayResult; live: RegistryState }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const replayed = await replayLog(client, { at });
    const live = await liveStateAt(client, at);
    await client.query('COMMIT');
    return { replayed, live };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function run(invocation: ReplayInvocation, databaseUrl: string, settings: ConnectionSettings, print: (line: string) => void): Promise<boolean> {
  await checkConnection(settings);
  const at = invocation.at ?? new Date();
  const pool = createLedgerPool(databaseUrl, 2);
  let scratch: ScratchDatabase | null = null;
  try {
    const { replayed, live } = await replayAndLive(pool, at);
    const c = replayed.counts;
    const perSecond = Math.round(replayed.entries / Math.max(replayed.elapsedMs / 1000, 1e-3));
    print(`replay: read ${replayed.entries} log entries up to ${at.toISOString()} in ${seconds(replayed.elapsedMs)} s (${c.recorded} recorded, ${c.rejected} rejected, ${c.duplicates} refused duplicates)`);

    const rebuildStarted = performance.now();
    scratch = await createScratchDatabase(databaseUrl);
    const rebuilt = await rebuildInto(scratch.url, replayed);
    const scratchPool = createLedgerPool(scratch.url, 1);
    let rebuiltState: RegistryState;
    try {
      rebuiltState = await liveStateAt(scratchPool, at);
    } finally {
      await scratchPool.end();
    }
    print(`replay: rebuilt ${rebuilt.accounts} accounts, ${rebuilt.series} series, ${rebuilt.blocks} block records and ${rebuilt.transactions} transactions into ${scratch.name} in ${seconds(performance.now() - rebuildStarted)} s`);

    const stateHashHex = stateHash(rebuiltState);
    const liveHashHex = stateHash(live);
    const inMemory = stateHash(replayed.state);
    if (inMemory !== stateHashHex) print(`replay: the scratch database reads back differently from the replay (${inMemory}): ${firstDifference(replayed.state, rebuiltState, ['replayed', 'rebuilt'])}`);
    const match = stateHashHex === liveHashHex && inMemory === stateHashHex;
    if (stateHashHex !== liveHashHex) print(`replay: first difference: ${firstDifference(rebuiltState, live, ['replayed', 'live'])}`);
    if (invocation.keep) print(`replay: kept the scratch database: ${describeUrl(scratch.url)}`);
    print(`replay: at=${at.toISOString()} entries=${replayed.entries} state_hash=${stateHashHex} live_state_hash=${liveHashHex} match=${match} entries_per_s=${perSecond}`);
    return match;
  } finally {
    await pool.end();
    if (scratch && !invocation.keep) await scratch.drop();
  }
}

/** A URL without its password, for printing. */
function describeUrl(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/** One line, whatever went wrong: operators get a sentence, not a stack trace. */
export function explainFailure(error: unknown, settings: ConnectionSettings | null): string {
  if (error instanceof DatabaseToolError || error instanceof UsageError) return error.message;
  if (error instanceof ReplayError) return `the log contradicts itself at ${error.message.replace(/^log /, '')}; run npm run ledger:verify`;
  const code = (error as { code?: unknown })?.code;
  if (settings && typeof code === 'string' && /^(E[A-Z]+|28|3D)/.test(code)) return explainConnectionError(error, settings).message;
  if (code === '42501') return `permission denied: the scratch database needs the CREATEDB privilege (${(error as Error).message})`;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

async function main(): Promise<number> {
  let settings: ConnectionSettings | null = null;
  try {
    const invocation = parseArguments(process.argv.slice(2));
    if (invocation === 'help') {
      console.log(USAGE);
      return 0;
    }
    settings = parseDatabaseUrl(process.env.DATABASE_URL);
    const match = await run(invocation, (process.env.DATABASE_URL ?? '').trim(), settings, (line) => console.log(line));
    return match ? 0 : 1;
  } catch (error) {
    console.error(`replay: ${explainFailure(error, settings)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then((code) => process.exit(code));
}

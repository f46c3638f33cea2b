/**
 * `npm run bench:ledger`: the ledger's benchmark, against the configured PostgreSQL (DATABASE_URL or
 * TEST_DATABASE_URL, default the local server), in one run so that ratios compare like with like on a
 * shared machine. It works in scratch databases of its own and drops them afterwards. Not part of
 * `npm test`.
 *
 *   (a) implicit transfers per second, 8 concurrent clients, each from its own account;
 *   (b) the machine's reference: pgbench TPC-B-like, 8 clients, on the same server;
 *   (c) p50 and p99 latency of those transfers;
 *   (d) p99 of an implicit transfer out of an account holding 100,000 fragmented blocks;
 *   (e) replay speed, log entries per second, over the whole log (more than 100,000 entries);
 *   (f) the transfers of (a) with the full default rule set active, as rules_ratio (issue: rules cost).
 *
 * (a), (f) and (b) alternate in three rounds of a third of BENCH_SECONDS each, and each figure is the
 * total over the rounds: the machine's speed drifts over a run, and the ratios compare phases that ran
 * side by side. Before them, 3 s of the transfers of (a) and of (f) warm the process up, not counted.
 *
 * With `-- --baseline <commit>`, it measures instead the transfer rate of the current tree and of that
 * older commit, alternately in one run, and prints both and their ratio (scripts/bench/baseline.ts).
 *
 * Environment: BENCH_SECONDS (default 15), BENCH_FRAGMENTS (default 100000), PGBENCH (default
 * "pgbench" on the PATH), BENCH_TRANSPORT (default "socket"; "tcp" to measure over the URL's host).
 *
 * Transport: when the configured server runs on this host and has a Unix socket, the ledger's clients
 * and pgbench both reach it over that socket, as a registry deployed beside its database would
 * (docs/database.md); a loopback TCP connection costs the client a good share of its CPU per round
 * trip. Both sides always use the same transport, so the ratio compares like with like.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { quoteIdentifier } from '../../server/db/sql-quote';
import { replayLog } from '../../server/ledger/replay';
import { rebuildInto } from '../../server/ledger/replay/rebuild';
import { prepareScratch } from '../../server/ledger/replay/scratch-database';
import { compareWithBaseline } from './baseline';
import { deactivateDefaultRules, runRulesPhase } from './rules-phase';
import { seriesIdOf } from '../../server/ledger/operations/issue-units';
import type { Actor, LedgerContext, SeriesAttributes } from '../../server/ledger/types';
import { execute } from '../../server/ledger/write-path';
import { createTestDatabase, TEST_SERVER_URL } from '../../server/testing/test-database';

const SERVER_URL = process.env.DATABASE_URL ?? TEST_SERVER_URL;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const FRAGMENTS = Number(process.env.BENCH_FRAGMENTS ?? 100_000);
const CLIENTS = 8;
/** The measured phases (a), (f) and (b) alternate in this many rounds. */
const ROUNDS = 3;
/** Seconds of each warm-up before the measured rounds (not counted). */
const WARMUP_SECONDS = 3;
const SOCKET_DIRECTORIES = ['/var/run/postgresql', '/tmp'];

/** How the measured clients reach the server: the URL's host, or this host's Unix socket directory. */
function transport(serverUrl: string): { host: string; ledgerUrl: (databaseUrl: string) => string } {
  const url = new URL(serverUrl);
  const port = url.port || '5432';
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const directory = SOCKET_DIRECTORIES.find((d) => existsSync(`${d}/.s.PGSQL.${port}`));
  if (process.env.BENCH_TRANSPORT === 'tcp' || !local || directory === undefined) return { host: url.hostname, ledgerUrl: (u) => u };
  return {
    host: directory,
    ledgerUrl: (u) => {
      const over = new URL(u);
      over.searchParams.set('host', directory);
      over.searchParams.set('port', port);
      return over.toString();
    },
  };
}
const TRANSPORT = transport(SERVER_URL);
const admin: Actor = { userId: 'bench', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const series = (vintage: number): SeriesAttributes => ({ unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'BENCH-1', vintage, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false });

function log(line: string): void {
  console.log(`  ${line}`);
}

function percentile(sortedMs: readonly number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor(sortedMs.length * p))] ?? 0;
}

async function must(ctx: LedgerContext, proposal: Parameters<typeof execute>[2]): Promise<void> {
  const outcome = await execute(ctx, admin, proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`bench setup refused: ${JSON.stringify(outcome.refusals)}`);
}

async function openAccounts(ctx: LedgerContext, ids: readonly string[], type: 'HOLDING' | 'ISSUANCE'): Promise<void> {
  for (const id of ids) {
    await must(ctx, { kind: 'OPEN_ACCOUNT', idempotencyKey: `open-${id}`, account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'Bench', sectionId: null, cooperativeApproachId: null } });
    await must(ctx, { kind: 'SET_ACCOUNT_STATUS', idempotencyKey: `activate-${id}`, accountId: id, status: 'ACTIVE' });
  }
}

/** Runs `work(client, i)` on CLIENTS concurrent clients, each until `until(done, i)` says stop; returns latencies. */
async function concurrently(work: (client: number, i: number) => Promise<void>, until: (done: number, i: number) => boolean): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; !until(done, i); i++) {
        const t = performance.now();
        await work(client, i);
        latencies.push(performance.now() - t);
        done++;
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000 };
}

/**
 * CPU seconds spent so far by the local PostgreSQL server's processes, living and exited (Linux /proc;
 * null elsewhere; includes any other load on the same server). Only for the diagnostic line of phase (a).
 */
function postgresCpuSeconds(): number | null {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const name = /\(([^)]*)\)/.exec(stat)?.[1];
      if (name !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, and cutime, cstime: the postmaster's exited children (closed backends).
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    }
    return ticks / 100;
  } catch {
    return null;
  }
}

/** pgbench's TPC-B-like reference in a scratch database of its own, initialised once and run per round. */
interface Pgbench {
  /** Runs pgbench for `seconds` at CLIENTS clients: the transactions it made and the time they took. */
  run(seconds: number): { transactions: number; seconds: number };
  drop(): void;
}

function pgbenchReference(): Pgbench {
  const url = new URL(SERVER_URL);
  const name = `bench_pgbench_${randomBytes(4).toString('hex')}`;
  const pgbench = process.env.PGBENCH ?? 'pgbench';
  const args = ['-h', TRANSPORT.host, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres')];
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  const run = (extra: string[]) => spawnSync(pgbench, [...args, ...extra], { env, encoding: 'utf8' });
  const admin = (sql: string) => spawnSync('psql', [...args, '-d', url.pathname.slice(1) || 'postgres', '-qc', sql], { env, encoding: 'utf8' });
  const drop = () => void admin(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  admin(`CREATE DATABASE ${quoteIdentifier(name)}`);
  const init = run(['-i', '-q', '-s', '8', name]);
  if (init.status !== 0) {
    drop();
    throw new Error(`pgbench -i failed: ${init.stderr || init.error?.message}`);
  }
  return {
    run(seconds) {
      const result = run(['-c', String(CLIENTS), '-j', '2', '-T', String(seconds), name]);
      const tps = /tps = ([0-9.]+)/.exec(result.stdout);
      const processed = /number of transactions actually processed: ([0-9]+)/.exec(result.stdout);
      if (!tps || !processed) throw new Error(`pgbench printed no tps: ${result.stderr || result.stdout}`);
      const transactions = Number(processed[1]);
      return { transactions, seconds: transactions / Number(tps[1]) };
    },
    drop,
  };
}

async function main(): Promise<void> {
  console.log(`bench-ledger against ${new URL(SERVER_URL).host} over ${TRANSPORT.host.startsWith('/') ? `the Unix socket in ${TRANSPORT.host}` : 'TCP'} (ledger and pgbench alike), ${CLIENTS} clients, ${SECONDS} s per phase, ${FRAGMENTS} fragments`);
  const database = await createTestDatabase('bench_ledger', SERVER_URL);
  try {
    const ctx = database.ledger({ poolSize: CLIENTS + 2, databaseUrl: TRANSPORT.ledgerUrl(database.url) });
    const holding = Array.from({ length: 2 * CLIENTS }, (_, i) => `BENCH-H${String(i).padStart(2, '0')}`);
    const donors = Array.from({ length: CLIENTS }, (_, i) => `BENCH-D${i}`);
    await openAccounts(ctx, ['BENCH-ISS'], 'ISSUANCE');
    await openAccounts(ctx, [...holding, ...donors, 'BENCH-FRAG'], 'HOLDING');
    for (const [i, id] of [...holding, ...donors].entries()) {
      await must(ctx, { kind: 'ISSUANCE', idempotencyKey: `issue-${id}`, accountId: 'BENCH-ISS', series: series(2021 + (i % 4)), quantity: 10_000_000n });
      await must(ctx, { kind: 'TRANSFER', idempotencyKey: `fund-${id}`, fromAccountId: 'BENCH-ISS', toAccountId: id, selection: { mode: 'implicit', quantity: 10_000_000n, constraints: { vintage: 2021 + (i % 4) } } });
    }

    const autovacuum = await vacuum(database.url);
    log(`set-up done; VACUUM ANALYZE before measuring, as pgbench does before its run (this server has autovacuum ${autovacuum})`);

    // (a), (c), (f) and (b) in alternating rounds: this machine's speed drifts over a run, and a ratio of
    // figures measured minutes apart would carry the drift. Each round runs, for a third of the phase's
    // time each: (a) implicit transfers of 1 to 1,000 units, each client from its own account (one large
    // block, split by every transfer) to another, no two clients contending for an account; (f) the
    // same transfers with the full default rule set active (docs/rules.md), switched off again at the
    // end of the round so that (a) and (d) measure the ledger alone; (b) pgbench on the same server.
    // Every figure is the total over the rounds: count over time.
    const pairs = Array.from({ length: CLIENTS }, (_, c) => [holding[2 * c] as string, holding[2 * c + 1] as string] as const);
    const reference = pgbenchReference();
    const slice = SECONDS / ROUNDS;
    const a = { latencies: [] as number[], seconds: 0, node: 0, postgres: 0 as number | null };
    const f = { transfers: 0, seconds: 0, latencies: [] as number[] };
    const b = { transactions: 0, seconds: 0 };
    // Warm-up, not counted: the same transfers, without and with the rules, for WARMUP_SECONDS each. A
    // registry's process runs for days; its first seconds, while V8 compiles the write path's code and
    // each connection prepares its statements, cost up to half as much again per transfer (measured:
    // 0.72–0.80 ms of Node CPU per transfer in the first 5 s, 0.43–0.50 ms after).
    const warmUntil = performance.now() + WARMUP_SECONDS * 1000;
    const warm = await concurrently(async (client, i) => {
      const [x, y] = pairs[client] as readonly [string, string];
      const outcome = await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: `warm-${client}-${i}`, fromAccountId: x, toAccountId: y, selection: { mode: 'implicit', quantity: BigInt(1 + ((i * 7919) % 1000)), constraints: {} } });
      if (outcome.status !== 'RECORDED') throw new Error(`transfer refused: ${JSON.stringify(outcome.refusals)}`);
    }, () => performance.now() > warmUntil);
    const warmRules = await runRulesPhase({ ctx, admin, pairs, seconds: WARMUP_SECONDS, round: ROUNDS });
    await deactivateDefaultRules(ctx, admin, 'BENCH', ROUNDS);
    log(`warm-up, not counted: ${(warm.latencies.length / warm.seconds).toFixed(0)} transfers/s, ${warmRules.transfersPerS.toFixed(0)}/s under the rules, ${WARMUP_SECONDS} s each`);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const deadline = performance.now() + slice * 1000;
        const cpuBefore = { node: process.cpuUsage(), postgres: postgresCpuSeconds() };
        const measured = await concurrently(async (client, i) => {
          const [x, y] = pairs[client] as readonly [string, string];
          const outcome = await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: `a-${round}-${client}-${i}`, fromAccountId: x, toAccountId: y, selection: { mode: 'implicit', quantity: BigInt(1 + ((i * 7919) % 1000)), constraints: {} } });
          if (outcome.status !== 'RECORDED') throw new Error(`transfer refused: ${JSON.stringify(outcome.refusals)}`);
        }, () => performance.now() > deadline);
        const nodeCpu = process.cpuUsage(cpuBefore.node);
        const postgresCpu = postgresCpuSeconds();
        a.latencies.push(...measured.latencies);
        a.seconds += measured.seconds;
        a.node += (nodeCpu.user + nodeCpu.system) / 1e6;
        a.postgres = a.postgres !== null && postgresCpu !== null && cpuBefore.postgres !== null ? a.postgres + postgresCpu - cpuBefore.postgres : null;

        const rules = await runRulesPhase({ ctx, admin, pairs, seconds: slice, round });
        await deactivateDefaultRules(ctx, admin, 'BENCH', round);
        f.transfers += rules.transfers;
        f.seconds += rules.transfers / rules.transfersPerS;
        f.latencies.push(...rules.latencies);

        const pgbench = reference.run(Math.max(1, Math.round(slice)));
        b.transactions += pgbench.transactions;
        b.seconds += pgbench.seconds;
        log(`round ${round + 1} of ${ROUNDS}: (a) ${(measured.latencies.length / measured.seconds).toFixed(0)} transfers/s, (f) ${rules.transfersPerS.toFixed(0)}/s under the rules, (b) pgbench ${(pgbench.transactions / pgbench.seconds).toFixed(0)} tps`);
      }
    } finally {
      reference.drop();
    }
    a.latencies.sort((x, y) => x - y);
    f.latencies.sort((x, y) => x - y);
    const transfersPerS = a.latencies.length / a.seconds;
    const perTransfer = (seconds: number) => ((seconds * 1000) / a.latencies.length).toFixed(2);
    const cpuLine = `node ${perTransfer(a.node)} ms` + (a.postgres !== null ? `, postgres ${perTransfer(a.postgres)} ms` : '');
    log(`(a) ${a.latencies.length} implicit transfers in ${a.seconds.toFixed(1)} s: ${transfersPerS.toFixed(0)}/s; p50 ${percentile(a.latencies, 0.5).toFixed(2)} ms, p99 ${percentile(a.latencies, 0.99).toFixed(2)} ms; CPU per transfer: ${cpuLine}`);
    const rulesPerS = f.transfers / f.seconds;
    log(`(f) ${f.transfers} implicit transfers under the default rules in ${f.seconds.toFixed(1)} s: ${rulesPerS.toFixed(0)}/s; p50 ${percentile(f.latencies, 0.5).toFixed(2)} ms, p99 ${percentile(f.latencies, 0.99).toFixed(2)} ms`);
    const pgbench = b.transactions / b.seconds;
    log(`(b) pgbench TPC-B-like, ${CLIENTS} clients: ${b.transactions} transactions in ${b.seconds.toFixed(1)} s: ${pgbench.toFixed(0)} tps`);

    // (d): 100,000 one-unit blocks in one account, made by ordinary explicit transfers from the donors
    // (every second serial, so no two are adjacent), then implicit transfers out of it.
    const perDonor = Math.ceil(FRAGMENTS / CLIENTS);
    const fragmenting = await concurrently(async (client, i) => {
      const donor = donors[client] as string;
      const serial = BigInt(donorFirstSerial(client) + 2 * i);
      const outcome = await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: `frag-${client}-${i}`, fromAccountId: donor, toAccountId: 'BENCH-FRAG', selection: { mode: 'explicit', seriesId: seriesIdOf(series(2021 + ((holding.length + client) % 4))), firstSerial: serial, lastSerial: serial } });
      if (outcome.status !== 'RECORDED') throw new Error(`fragmenting transfer refused: ${JSON.stringify(outcome.refusals)}`);
    }, (_, i) => i >= perDonor);
    log(`(d) fragmented FRAG into ${perDonor * CLIENTS} blocks in ${fragmenting.seconds.toFixed(1)} s (${(fragmenting.latencies.length / fragmenting.seconds).toFixed(0)} explicit transfers/s)`);
    await vacuum(database.url);
    log('(d) VACUUM ANALYZE after fragmenting, as autovacuum would have done on a server that runs it');
    const fragmented: number[] = [];
    // Quantities 1..25, about 13 units each: as many transfers as the fragments allow, at most 400.
    const measured = Math.min(400, Math.floor((perDonor * CLIENTS) / 16));
    for (let i = 0; i < measured; i++) {
      const t = performance.now();
      const outcome = await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: `d-${i}`, fromAccountId: 'BENCH-FRAG', toAccountId: holding[0] as string, selection: { mode: 'implicit', quantity: BigInt(1 + (i % 25)), constraints: {} } });
      fragmented.push(performance.now() - t);
      if (outcome.status !== 'RECORDED') throw new Error(`fragmented transfer refused: ${JSON.stringify(outcome.refusals)}`);
    }
    fragmented.sort((x, y) => x - y);
    log(`(d) implicit transfers out of the fragmented account: p50 ${percentile(fragmented, 0.5).toFixed(2)} ms, p99 ${percentile(fragmented, 0.99).toFixed(2)} ms`);

    // (e): replay the whole log, then write the state into a scratch database. replay_per_s is the
    // replay itself (log entries read, checked and applied per second: what ledger:replay reports as
    // entries_per_s); the rebuild's bulk load is timed and printed beside it.
    const scratch = `${database.url.replace(/\/[^/]*$/, '')}/${new URL(database.url).pathname.slice(1)}_replay`;
    const preparing = performance.now();
    await prepareScratch(scratch);
    log(`(e) scratch database created and migrated in ${((performance.now() - preparing) / 1000).toFixed(1)} s`);
    const replayStarted = performance.now();
    const replayed = await replayLog(ctx.pool, {});
    const replaySeconds = (performance.now() - replayStarted) / 1000;
    const rebuildStarted = performance.now();
    await rebuildInto(scratch, replayed, { prepared: true });
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    const entries = replayed.entries;
    const replayPerS = entries / replaySeconds;
    log(`(e) replayed ${entries} log entries in ${replaySeconds.toFixed(1)} s: ${replayPerS.toFixed(0)} entries/s; wrote the state into the scratch database in ${rebuildSeconds.toFixed(1)} s (${(entries / (replaySeconds + rebuildSeconds)).toFixed(0)} entries/s for both)`);
    await dropDatabase(scratch);

    console.log(
      `bench-ledger: transfers_per_s=${transfersPerS.toFixed(0)} pgbench_tps=${pgbench.toFixed(0)} ratio=${(transfersPerS / pgbench).toFixed(2)} p50_ms=${percentile(a.latencies, 0.5).toFixed(2)} p99_ms=${percentile(a.latencies, 0.99).toFixed(2)} fragmented_p99_ms=${percentile(fragmented, 0.99).toFixed(2)} replay_per_s=${replayPerS.toFixed(0)} rules_ratio=${(rulesPerS / pgbench).toFixed(2)}`,
    );
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${database.url}`);
    else await database.drop();
  }
}

/** Donor d holds the d-th 10,000,000-unit issuance of its vintage's series: serials start after the holdings'. */
function donorFirstSerial(client: number): number {
  // Accounts are funded in order holding (16) then donors (8), cycling over 4 vintages: the donor's
  // series already had floor((16 + client) / 4) earlier issuances of 10,000,000 units.
  return Math.floor((2 * CLIENTS + client) / 4) * 10_000_000 + 1;
}

/**
 * Routine maintenance between set-up and measurement: VACUUM ANALYZE of the bench database, so that
 * the measured phases see current statistics and no dead rows from the set-up (the state autovacuum
 * keeps a production server in). Returns the server's autovacuum setting, for the report.
 */
async function vacuum(url: string): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('VACUUM (ANALYZE)');
    return (await c.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]?.autovacuum ?? 'unknown';
  } finally {
    await c.end();
  }
}

async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const c = new Client({ connectionString: SERVER_URL });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

const baselineAt = process.argv.indexOf('--baseline');
const measured = baselineAt >= 0 ? Promise.resolve().then(() => compareWithBaseline(process.argv[baselineAt + 1] ?? '')) : main();
measured.catch((error: unknown) => {
  console.error(`bench-ledger failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

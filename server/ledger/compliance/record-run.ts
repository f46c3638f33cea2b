import type pg from 'pg';
import { recordAdministrativeActOn } from '../administrative-act';
import { canonicalJson, type CanonicalValue } from '../canonical-json';
import type { Actor, LedgerContext } from '../types';
import { runCompliance, type ComplianceReport } from './run-compliance';
import type { ComplianceFinding } from './types';

/**
 * Compliance runs are persisted (A6R-19: "with a report"): each run, every finding the first time a
 * run sees it, and its resolution when a later run that judged the same rule on the same account no
 * longer sees it. All three tables are append-only (migration 20261122002200_compliance_runs).
 *
 * Runs are serialized, across every server process, by an advisory lock held while the run judges
 * and writes: the open findings a run compares with are exactly those the runs before it left, and a
 * run never judges an older moment than the run before it.
 */
export type ComplianceTrigger = 'TRANSACTION' | 'ON_DEMAND' | 'SCHEDULED';

export type ComplianceContext = Pick<LedgerContext, 'pool' | 'signer' | 'now' | 'newId'>;

export type RunRequest =
  /** After recorded transactions, on the accounts they touched; null: more than could be listed, so the whole registry. */
  | { readonly trigger: 'TRANSACTION'; readonly transactionIds: readonly string[] | null }
  /**
   * Asked for by an administrator: the whole registry, logged as an administrative act under the
   * client's idempotency key (see `runOnDemand`); without one, keyed by the run's own id.
   */
  | { readonly trigger: 'ON_DEMAND'; readonly actor: Actor; readonly idempotencyKey?: string }
  /**
   * By the registry's own scheduler: the whole registry, as time passes. A balance that grows too old
   * in a pending account breaks a rule without any transaction; only a run at a later moment sees it.
   */
  | { readonly trigger: 'SCHEDULED' };

export interface RecordedRun {
  readonly runId: string;
  readonly trigger: ComplianceTrigger;
  readonly at: Date;
  readonly findings: number;
  readonly opened: number;
  readonly resolved: number;
  readonly report: ComplianceReport;
  readonly logTransactionId: string | null;
}

/** The advisory lock of compliance runs (an arbitrary constant, the same in every process). */
export const COMPLIANCE_LOCK = 60_190_019;

/** Findings per rule a persisted run keeps; a rule that reaches it resolves nothing in that run. */
export const RUN_FINDING_LIMIT = 1_000;

/** What makes two runs' findings the same problem: the rule, the account, and the data it judged. */
export function findingKey(rule: string, f: ComplianceFinding): string {
  return `${rule}|${f.accountId}|${canonicalJson({ ...f.data })}`;
}

/** One run at a time in this process, whatever pool it uses. */
let queue: Promise<unknown> = Promise.resolve();

function serialized<T>(work: () => Promise<T>): Promise<T> {
  const result = queue.then(work, work);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * Runs the compliance rules and records the run, its new findings and the findings it resolved, in
 * one database transaction (with the administrative act of an on-demand run). Returns null, writing
 * nothing, for a run after transactions or on schedule that had nothing to judge (no account touched,
 * or no compliance rule configured).
 *
 * One connection, one transaction at a time: the session-level advisory lock is taken first, then the
 * rules judge in a read-only snapshot (taken after every earlier run committed), then the results are
 * written in a second transaction, then the lock is released. No transaction stays open while another
 * connection is waited for (the embedded demo database runs one transaction at a time).
 */
export function recordComplianceRun(ctx: ComplianceContext, request: RunRequest): Promise<RecordedRun | null> {
  return underRunLock(ctx, (client) => judgeAndPersist(client, ctx, request));
}

/** What an on-demand run answers: the run (the first one, for a retry), or the key's other use. */
export type OnDemandAnswer =
  | { readonly status: 'RECORDED'; readonly run: RunSummary; readonly replayed: boolean }
  | { readonly status: 'KEY_REUSED'; readonly earlierTransactionId: string };

export interface RunSummary {
  readonly runId: string;
  readonly at: Date;
  readonly findings: number;
  readonly opened: number;
  readonly resolved: number;
  /** How many compliance rules judged. */
  readonly rules: number;
}

/**
 * An administrator's on-demand run under the client's idempotency key: the same key again answers
 * the run it recorded, and records no second run and no second log entry; a key the initiator gave
 * another request is refused. Runs are serialized, so the key is looked up with no other run between.
 */
export function runOnDemand(ctx: ComplianceContext, actor: Actor, idempotencyKey: string): Promise<OnDemandAnswer> {
  return underRunLock(ctx, async (client) => {
    const earlier = await earlierOnDemandRun(client, actor.userId, idempotencyKey);
    if (earlier) return earlier;
    try {
      const run = await judgeAndPersist(client, ctx, { trigger: 'ON_DEMAND', actor, idempotencyKey });
      if (!run) throw new Error('an on-demand compliance run was not recorded');
      return { status: 'RECORDED', run: { runId: run.runId, at: run.at, findings: run.findings, opened: run.opened, resolved: run.resolved, rules: run.report.results.length }, replayed: false };
    } catch (error) {
      // A ledger proposal of the same initiator took the key meanwhile (it does not wait for runs).
      const taken = await earlierOnDemandRun(client, actor.userId, idempotencyKey);
      if (taken) return taken;
      throw error;
    }
  });
}

/** The answer a key already has: its on-demand run, or the transaction of another kind that holds it. */
async function earlierOnDemandRun(client: pg.PoolClient, initiatorId: string, idempotencyKey: string): Promise<OnDemandAnswer | null> {
  const taken = await client.query<{ id: string; kind: string; input: string }>('SELECT id, kind, input FROM "LedgerTransaction" WHERE "initiatorId" = $1 AND "idempotencyKey" = $2', [initiatorId, idempotencyKey]);
  const transaction = taken.rows[0];
  if (!transaction) return null;
  if (transaction.kind !== 'COMPLIANCE_RUN') return { status: 'KEY_REUSED', earlierTransactionId: transaction.id };
  // The act's input names its run (its details, see `persist`): reached by the run's primary key.
  const runId = (JSON.parse(transaction.input) as { proposal?: { runId?: unknown } }).proposal?.runId;
  if (typeof runId !== 'string') throw new Error(`compliance: the act ${transaction.id} names no run`);
  const found = await client.query<{ id: string; at: Date; findings: number; opened: number; resolved: number; rules: string }>('SELECT id, at, findings, opened, resolved, rules FROM "ComplianceRun" WHERE id = $1', [runId]);
  const run = found.rows[0];
  if (!run) throw new Error(`compliance: the act ${transaction.id} names run ${runId}, which is not there`);
  return { status: 'RECORDED', run: { runId: run.id, at: run.at, findings: run.findings, opened: run.opened, resolved: run.resolved, rules: (JSON.parse(run.rules) as unknown[]).length }, replayed: true };
}

/**
 * Runs `work` with the compliance runs' lock held, on one connection of the pool: one run at a
 * time in this process (`serialized`) and across processes (the advisory lock).
 */
function underRunLock<T>(ctx: ComplianceContext, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return serialized(async () => {
    const client = await ctx.pool.connect();
    let reusable = true;
    try {
      await client.query('SELECT pg_advisory_lock($1)', [COMPLIANCE_LOCK]);
      try {
        return await work(client);
      } finally {
        // A connection that cannot say it released the lock is closed, which releases it.
        await client.query('SELECT pg_advisory_unlock($1)', [COMPLIANCE_LOCK]).catch(() => {
          reusable = false;
        });
      }
    } finally {
      client.release(reusable ? undefined : true);
    }
  });
}

async function judgeAndPersist(client: pg.PoolClient, ctx: ComplianceContext, request: RunRequest): Promise<RecordedRun | null> {
  const startedAt = ctx.now();
  const report = await inTransactionOn(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', () =>
    runCompliance(client, { at: startedAt, transactionIds: request.trigger === 'TRANSACTION' && request.transactionIds !== null ? request.transactionIds : undefined, limit: RUN_FINDING_LIMIT }),
  );
  const nothingJudged = report.results.length === 0 || (report.accountIds !== null && report.accountIds.length === 0);
  if (request.trigger !== 'ON_DEMAND' && nothingJudged) return null;
  return inTransactionOn(client, 'BEGIN', () => persist(client, ctx, request, report, startedAt));
}

async function inTransactionOn<T>(client: pg.PoolClient, begin: string, work: () => Promise<T>): Promise<T> {
  await client.query(begin);
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

interface OpenFinding {
  readonly id: string;
  readonly key: string;
  readonly rule: string;
  readonly accountId: string;
}

const text = (value: string | number | null | undefined): string | null => (typeof value === 'string' ? value : null);

async function persist(sql: pg.PoolClient, ctx: ComplianceContext, request: RunRequest, report: ComplianceReport, startedAt: Date): Promise<RecordedRun> {
  const runId = ctx.newId();
  const judged = report.results.map((r) => r.rule);
  const open = await sql.query<OpenFinding>(
    `SELECT f.id, f.key, f.rule, f."accountId" FROM "ComplianceFinding" f
     WHERE NOT EXISTS (SELECT 1 FROM "ComplianceResolution" r WHERE r."findingId" = f.id)
       AND f.rule = ANY($1::text[]) AND ($2::text[] IS NULL OR f."accountId" = ANY($2::text[]))
     ORDER BY f.id`,
    [judged, report.accountIds],
  );
  const openByKey = new Map<string, OpenFinding>();
  for (const f of open.rows) {
    // Invariant: a problem is open at most once (runs are serialized, and a run opens only what is not open).
    if (openByKey.has(f.key)) throw new Error(`compliance: finding ${f.key} is open twice (${openByKey.get(f.key)?.id}, ${f.id})`);
    openByKey.set(f.key, f);
  }

  const accounts = [...new Set(report.results.flatMap((r) => r.findings.map((f) => f.accountId)))];
  const sections = new Map((await sql.query<{ id: string; sectionId: string | null }>('SELECT id, "sectionId" FROM "Account" WHERE id = ANY($1::text[])', [accounts])).rows.map((a) => [a.id, a.sectionId]));

  const newFindings: unknown[] = [];
  const seen = new Set<string>();
  const rules: CanonicalValue[] = [];
  for (const result of report.results) {
    const findingIds: string[] = [];
    for (const f of result.findings) {
      const key = findingKey(result.rule, f);
      if (seen.has(key)) continue; // a rule that reports the same problem twice in one run counts it once
      seen.add(key);
      const known = openByKey.get(key);
      if (known) {
        findingIds.push(known.id);
        continue;
      }
      const id = `${runId}/${newFindings.length}`;
      findingIds.push(id);
      newFindings.push({ id, key, rule: result.rule, version: result.version, accountId: f.accountId, sectionId: sections.get(f.accountId) ?? null, seriesId: text(f.data.seriesId), firstSerial: text(f.data.firstSerial), lastSerial: text(f.data.lastSerial), message: f.message, data: canonicalJson({ ...f.data }), runId, foundAt: report.at });
    }
    rules.push({ rule: result.rule, version: result.version, settings: result.settings, findings: findingIds.length, truncated: result.truncated, findingIds });
  }
  // A rule whose list was cut short cannot tell what it no longer sees: it resolves nothing this time.
  const complete = new Set(report.results.filter((r) => !r.truncated).map((r) => r.rule));
  const resolved = open.rows.filter((f) => complete.has(f.rule) && !seen.has(f.key)).map((f) => f.id);
  const findings = seen.size;
  if (findings !== newFindings.length + open.rows.filter((f) => seen.has(f.key)).length) throw new Error('compliance: findings are neither new nor open');

  const finishedAt = ctx.now();
  const logTransactionId = request.trigger === 'ON_DEMAND' ? ctx.newId() : null;
  await sql.query(
    `INSERT INTO "ComplianceRun" (id, trigger, at, "startedAt", "finishedAt", "initiatorId", "impersonatorId", "transactionIds", "accountIds", rules, findings, opened, resolved, "logTransactionId")
     VALUES ($1, $2, $3::timestamp(3), $4::timestamp(3), $5::timestamp(3), $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      runId,
      request.trigger,
      report.at,
      startedAt.toISOString(),
      finishedAt.toISOString(),
      request.trigger === 'ON_DEMAND' ? request.actor.userId : null,
      request.trigger === 'ON_DEMAND' ? request.actor.impersonatorId : null,
      canonicalJson([...report.transactionIds]),
      report.accountIds === null ? null : canonicalJson([...report.accountIds]),
      canonicalJson(rules),
      findings,
      newFindings.length,
      resolved.length,
      logTransactionId,
    ],
  );
  if (newFindings.length > 0) {
    await sql.query(
      `INSERT INTO "ComplianceFinding" (id, key, rule, version, "accountId", "sectionId", "seriesId", "firstSerial", "lastSerial", message, data, "runId", "foundAt")
       SELECT x.id, x.key, x.rule, x.version, x."accountId", x."sectionId", x."seriesId", x."firstSerial"::bigint, x."lastSerial"::bigint, x.message, x.data, x."runId", x."foundAt"::timestamp(3)
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, key text, rule text, version integer, "accountId" text, "sectionId" text, "seriesId" text, "firstSerial" text, "lastSerial" text, message text, data text, "runId" text, "foundAt" text)`,
      [JSON.stringify(newFindings)],
    );
  }
  if (resolved.length > 0) {
    await sql.query(`INSERT INTO "ComplianceResolution" ("findingId", "runId", "resolvedAt") SELECT unnest($1::text[]), $2, $3::timestamp(3)`, [resolved, runId, report.at]);
  }
  if (request.trigger === 'ON_DEMAND' && logTransactionId !== null) {
    // The on-demand run is an administrative act: the log names who asked, and what the run found.
    await recordAdministrativeActOn(sql, ctx.signer, {
      kind: 'COMPLIANCE_RUN',
      idempotencyKey: request.idempotencyKey ?? `compliance_run:${runId}`,
      transactionId: logTransactionId,
      createdAt: finishedAt,
      actor: request.actor,
      details: { runId, at: report.at, rules: report.results.map((r) => ({ rule: r.rule, version: r.version })), findings, opened: newFindings.length, resolved: resolved.length },
    });
  }
  return { runId, trigger: request.trigger, at: new Date(report.at), findings, opened: newFindings.length, resolved: resolved.length, report, logTransactionId };
}

import type { ReadScope } from '../authority';
import { humanBlock } from '../serial';
import { query, type Queryable } from '../state';

/**
 * Reads of the compliance report (A6R-19) for the administrators' page, within the reader's scope: the
 * whole registry's findings, or those on accounts of the sections the reader administers without an
 * approach limit (a section administrator's view). Findings judge a Party's accounts as a whole, so a
 * grant limited to cooperative approaches shows none of them.
 */
type SectionFilter = 'ALL' | readonly string[];

const sectionFilterOf = (scope: ReadScope): SectionFilter => (scope.kind === 'REGISTRY' ? 'ALL' : scope.sectionIds);

export interface FindingView {
  readonly id: string;
  readonly rule: string;
  readonly version: number;
  readonly accountId: string;
  readonly sectionId: string | null;
  /** Human-readable serials of the units concerned (A6R-40), or null when the finding names none. */
  readonly units: string | null;
  readonly message: string;
  readonly foundAt: Date;
  readonly foundByRunId: string;
  readonly foundBy: string;
  readonly resolvedByRunId: string | null;
  readonly resolvedAt: Date | null;
}

export interface RunRule {
  readonly rule: string;
  readonly version: number;
  readonly settings: Record<string, unknown>;
  readonly findings: number;
  readonly truncated: boolean;
  readonly findingIds: readonly string[];
}

export interface RunView {
  readonly id: string;
  readonly trigger: string;
  readonly at: Date;
  readonly finishedAt: Date;
  readonly initiatorId: string | null;
  readonly impersonatorId: string | null;
  /** How many transactions the run judged, and the first of them (a run after many lists only some). */
  readonly transactionCount: number;
  readonly transactionIds: readonly string[];
  readonly accountIds: readonly string[] | null;
  readonly rules: readonly RunRule[];
  readonly findings: number;
  readonly opened: number;
  readonly resolved: number;
  readonly logTransactionId: string | null;
}

const FINDING_COLUMNS = `f.id, f.rule, f.version, f."accountId", f."sectionId", f."firstSerial", f."lastSerial", f.message, f."foundAt", f."runId",
  run.trigger, res."runId" AS "resolvedByRunId", res."resolvedAt",
  s."cooperativeApproachId", s."originatingRegistry", s."firstTransferringParty", s.vintage`;
const FINDING_FROM = `"ComplianceFinding" f JOIN "ComplianceRun" run ON run.id = f."runId"
  LEFT JOIN "ComplianceResolution" res ON res."findingId" = f.id
  LEFT JOIN "UnitSeries" s ON s.id = f."seriesId"`;

interface FindingRow {
  id: string;
  rule: string;
  version: number;
  accountId: string;
  sectionId: string | null;
  firstSerial: bigint | null;
  lastSerial: bigint | null;
  message: string;
  foundAt: Date;
  runId: string;
  trigger: string;
  resolvedByRunId: string | null;
  resolvedAt: Date | null;
  cooperativeApproachId: string | null;
  originatingRegistry: string | null;
  firstTransferringParty: string | null;
  vintage: number | null;
}

function findingView(r: FindingRow): FindingView {
  const units =
    r.firstSerial !== null && r.lastSerial !== null && r.originatingRegistry !== null && r.firstTransferringParty !== null && r.vintage !== null
      ? humanBlock({ cooperativeApproachId: r.cooperativeApproachId, originatingRegistry: r.originatingRegistry, firstTransferringParty: r.firstTransferringParty, vintage: r.vintage }, r.firstSerial, r.lastSerial)
      : null;
  return { id: r.id, rule: r.rule, version: r.version, accountId: r.accountId, sectionId: r.sectionId, units, message: r.message, foundAt: r.foundAt, foundByRunId: r.runId, foundBy: r.trigger === 'ON_DEMAND' ? 'on-demand run' : r.trigger === 'SCHEDULED' ? 'scheduled run' : 'after a transaction', resolvedByRunId: r.resolvedByRunId, resolvedAt: r.resolvedAt };
}

const sectionArray = (sections: SectionFilter): string[] | null => (sections === 'ALL' ? null : [...sections]);

/** The most open findings the page lists at once. */
export const OPEN_FINDINGS_SHOWN = 500;

/** Findings no run has resolved yet, oldest first (at most `limit`). */
export async function openFindings(db: Queryable, scope: ReadScope, limit = OPEN_FINDINGS_SHOWN): Promise<FindingView[]> {
  const sections = sectionFilterOf(scope);
  const rows = await query<FindingRow>(db, `SELECT ${FINDING_COLUMNS} FROM ${FINDING_FROM} WHERE res."findingId" IS NULL AND ($1::text[] IS NULL OR f."sectionId" = ANY($1::text[])) ORDER BY f."foundAt", f.id LIMIT $2`, [sectionArray(sections), limit]);
  return rows.rows.map(findingView);
}

interface RunRow {
  id: string;
  trigger: string;
  at: Date;
  finishedAt: Date;
  initiatorId: string | null;
  impersonatorId: string | null;
  transactionIds: string;
  accountIds: string | null;
  rules: string;
  findings: number;
  opened: number;
  resolved: number;
  logTransactionId: string | null;
}

const RUN_COLUMNS = `id, trigger, at, "finishedAt", "initiatorId", "impersonatorId", "transactionIds", "accountIds", rules, findings, opened, resolved, "logTransactionId"`;

const LISTED = 20;

function runView(r: RunRow): RunView {
  const transactionIds = JSON.parse(r.transactionIds) as string[];
  return { ...r, transactionCount: transactionIds.length, transactionIds: transactionIds.slice(0, LISTED), accountIds: r.accountIds === null ? null : (JSON.parse(r.accountIds) as string[]), rules: JSON.parse(r.rules) as RunRule[] };
}

/**
 * The latest runs, newest first. For a section administrator the counts are those of findings in
 * their sections, so that nothing is told about other sections' accounts.
 */
export async function recentRuns(db: Queryable, scope: ReadScope, limit = 50): Promise<RunView[]> {
  const sections = sectionFilterOf(scope);
  const runs = (await query<RunRow>(db, `SELECT ${RUN_COLUMNS} FROM "ComplianceRun" ORDER BY "finishedAt" DESC, id DESC LIMIT $1`, [limit])).rows.map(runView);
  return sections === 'ALL' ? runs : narrowRuns(db, runs, sections);
}

/** Runs as a section administrator sees them: their sections' findings only, and no other account named. */
async function narrowRuns(db: Queryable, runs: readonly RunView[], sections: readonly string[]): Promise<RunView[]> {
  if (runs.length === 0) return [];
  const ids = runs.flatMap((r) => r.rules.flatMap((x) => x.findingIds));
  const mine = new Set((await query<{ id: string }>(db, `SELECT id FROM "ComplianceFinding" WHERE id = ANY($1::text[]) AND "sectionId" = ANY($2::text[])`, [ids, [...sections]])).rows.map((f) => f.id));
  const resolvedMine = await query<{ runId: string; n: number }>(
    db,
    `SELECT res."runId", count(*)::int AS n FROM "ComplianceResolution" res JOIN "ComplianceFinding" f ON f.id = res."findingId" WHERE res."runId" = ANY($1::text[]) AND f."sectionId" = ANY($2::text[]) GROUP BY res."runId"`,
    [runs.map((r) => r.id), [...sections]],
  );
  const resolvedBy = new Map(resolvedMine.rows.map((r) => [r.runId, r.n]));
  return runs.map((run) => {
    const rules = run.rules.map((x) => {
      const findingIds = x.findingIds.filter((id) => mine.has(id));
      return { ...x, findingIds, findings: findingIds.length };
    });
    const opened = rules.flatMap((x) => x.findingIds).filter((id) => id.startsWith(`${run.id}/`)).length;
    return { ...run, rules, findings: rules.reduce((sum, x) => sum + x.findings, 0), opened, resolved: resolvedBy.get(run.id) ?? 0, accountIds: null, transactionIds: [] };
  });
}

export interface RunReport {
  readonly run: RunView;
  /** What the run saw, each with whether it was new then and whether a later run resolved it. */
  readonly seen: readonly (FindingView & { readonly newInRun: boolean })[];
  /** Findings of earlier runs that this run no longer saw. */
  readonly resolved: readonly FindingView[];
}

/** The report of one run, or null when there is no such run. */
export async function runReport(db: Queryable, runId: string, scope: ReadScope): Promise<RunReport | null> {
  const sections = sectionFilterOf(scope);
  const found = await query<RunRow>(db, `SELECT ${RUN_COLUMNS} FROM "ComplianceRun" WHERE id = $1`, [runId]);
  const row = found.rows[0];
  if (!row) return null;
  const run = runView(row);
  const ids = run.rules.flatMap((r) => r.findingIds);
  const filter = sectionArray(sections);
  const seen = await query<FindingRow>(db, `SELECT ${FINDING_COLUMNS} FROM ${FINDING_FROM} WHERE f.id = ANY($1::text[]) AND ($2::text[] IS NULL OR f."sectionId" = ANY($2::text[])) ORDER BY f.rule, f."accountId", f.id`, [ids, filter]);
  const resolved = await query<FindingRow>(db, `SELECT ${FINDING_COLUMNS} FROM ${FINDING_FROM} WHERE res."runId" = $1 AND ($2::text[] IS NULL OR f."sectionId" = ANY($2::text[])) ORDER BY f.rule, f."accountId", f.id`, [runId, filter]);
  const view = sections === 'ALL' ? run : ((await narrowRuns(db, [run], sections))[0] ?? run);
  return { run: view, seen: seen.rows.map((r) => ({ ...findingView(r), newInRun: r.runId === runId })), resolved: resolved.rows.map(findingView) };
}

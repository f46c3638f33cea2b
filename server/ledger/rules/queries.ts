import { Prisma } from '../../db/generated/client';
import type { Db } from '../../db/client';
import type { ReadScope } from '../authority';
import { partyInScope, reservationInScope, ruleScopeInScope, transactionInScope } from '../read-scope';
import { COMPLIANCE_RULES } from '../compliance/catalog';
import { BUILT_IN_RULE_VERSIONS, PLUGGABLE_RULES } from './catalog';
import type { SettingBody } from './records';

/**
 * What the administrators' pages show of the rules: read-only views over the catalog and the
 * administrative records (rule settings, suspensions, corrections, reservations, authorizations). Every
 * read of records takes the reader's scope (server/ledger/read-scope.ts), decided by the policy module.
 */

export interface RuleVersionView {
  readonly name: string;
  readonly version: number;
  readonly kind: 'built-in' | 'pluggable' | 'compliance';
  readonly summary: string;
  readonly effectiveFrom: string;
  readonly retiresAt: string | null;
  readonly sectionConfigurable: boolean;
}

export function ruleCatalog(): RuleVersionView[] {
  return [
    ...BUILT_IN_RULE_VERSIONS.map((r) => ({ name: r.name, version: r.version, kind: 'built-in' as const, summary: r.summary, effectiveFrom: r.effectiveFrom, retiresAt: r.retiresAt, sectionConfigurable: false })),
    ...PLUGGABLE_RULES.map((r) => ({ name: r.name, version: r.version, kind: 'pluggable' as const, summary: r.summary, effectiveFrom: r.effectiveFrom, retiresAt: r.retiresAt, sectionConfigurable: r.sectionConfigurable })),
    ...COMPLIANCE_RULES.map((r) => ({ name: r.name, version: r.version, kind: 'compliance' as const, summary: r.summary, effectiveFrom: r.effectiveFrom, retiresAt: r.retiresAt, sectionConfigurable: false })),
  ];
}

export interface SettingView {
  readonly id: string;
  readonly rule: string;
  readonly scopeType: string;
  readonly scopeId: string;
  readonly enabled: boolean;
  readonly settings: SettingBody['settings'];
  readonly revision: number;
  readonly transactionId: string;
  readonly createdAt: Date;
}

/** An administrative record as read with `$queryRaw`. */
interface RecordRow {
  readonly id: string;
  readonly subject: string;
  readonly scopeType: string;
  readonly scopeId: string;
  readonly body: string;
  readonly validFrom: Date | null;
  readonly validUntil: Date | null;
  readonly transactionId: string;
  readonly createdAt: Date;
}

/** Records of one kind within `visible` (a condition on alias `r`), newest first. */
function recordsWhere(db: Db, kind: string, visible: Prisma.Sql, limit: number | null): Promise<RecordRow[]> {
  return db.$queryRaw<RecordRow[]>`
    SELECT r.id, r.subject, r."scopeType", r."scopeId", r.body, r."validFrom", r."validUntil", r."transactionId", r."createdAt"
    FROM "AdministrativeRecord" r
    WHERE r.kind = ${kind} AND ${visible}
    ORDER BY r."createdAt" DESC, r.id DESC
    ${limit === null ? Prisma.empty : Prisma.sql`LIMIT ${limit}`}`;
}

/** Which records of a kind a scope sees: by the scope the rule applies to, the Party that authorized, or the accounts a transaction concerns. */
function visibility(kind: ScopedKind, scope: ReadScope): Prisma.Sql {
  switch (kind) {
    case 'RULE_SETTING':
    case 'RULE_SUSPENSION':
      return ruleScopeInScope(scope);
    case 'AUTHORIZATION':
      return partyInScope(scope);
    case 'CORRECTION':
      return transactionInScope(scope);
    case 'RESERVATION':
      return reservationInScope(scope);
  }
}

type ScopedKind = 'RULE_SETTING' | 'RULE_SUSPENSION' | 'CORRECTION' | 'AUTHORIZATION' | 'RESERVATION';

/** The current setting of every rule in every scope the reader sees (the latest revision), newest first. */
export async function currentSettings(db: Db, scope: ReadScope): Promise<SettingView[]> {
  const rows = await recordsWhere(db, 'RULE_SETTING', visibility('RULE_SETTING', scope), null);
  const latest = new Map<string, SettingView>();
  for (const r of rows) {
    const body = JSON.parse(r.body) as SettingBody;
    const key = `${r.subject}\u0000${r.scopeType}\u0000${r.scopeId}`;
    const known = latest.get(key);
    if (!known || known.revision < body.revision) latest.set(key, { id: r.id, rule: r.subject, scopeType: r.scopeType, scopeId: r.scopeId, enabled: body.enabled, settings: body.settings, revision: body.revision, transactionId: r.transactionId, createdAt: r.createdAt });
  }
  return [...latest.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

export interface RecordView {
  readonly id: string;
  readonly subject: string;
  readonly scopeType: string;
  readonly scopeId: string;
  readonly body: Record<string, unknown>;
  readonly validFrom: Date | null;
  readonly validUntil: Date | null;
  readonly transactionId: string;
  readonly createdAt: Date;
}

const view = (r: RecordRow): RecordView => ({ id: r.id, subject: r.subject, scopeType: r.scopeType, scopeId: r.scopeId, body: JSON.parse(r.body) as Record<string, unknown>, validFrom: r.validFrom, validUntil: r.validUntil, transactionId: r.transactionId, createdAt: r.createdAt });

/** The latest administrative records of one kind the reader sees (suspensions, corrections, authorizations, reservations), newest first. */
export async function recentRecords(db: Db, kind: Exclude<ScopedKind, 'RULE_SETTING'>, scope: ReadScope, limit = 50): Promise<RecordView[]> {
  return (await recordsWhere(db, kind, visibility(kind, scope), limit)).map(view);
}

/** Transfers that wait for an answer and concern an account the reader sees: reservations without a release. */
export async function pendingReservations(db: Db, scope: ReadScope): Promise<RecordView[]> {
  const unanswered = Prisma.sql`${reservationInScope(scope)} AND NOT EXISTS (SELECT 1 FROM "AdministrativeRecord" l WHERE l.kind = 'RESERVATION_RELEASE' AND l."scopeId" = r."transactionId")`;
  return (await recordsWhere(db, 'RESERVATION', unanswered, 200)).map(view);
}

export interface SuspensionView extends RecordView {
  /** When and why it was lifted early (RULE_SUSPENSION_LIFT), if it was. */
  readonly lifted: { readonly at: Date; readonly reason: string; readonly transactionId: string } | null;
}

/** The latest suspensions the reader sees, newest first, each with its early lift if any. */
export async function suspensions(db: Db, scope: ReadScope, limit = 50): Promise<SuspensionView[]> {
  const [found, lifts] = await Promise.all([recentRecords(db, 'RULE_SUSPENSION', scope, limit), db.administrativeRecord.findMany({ where: { kind: 'RULE_SUSPENSION_LIFT' } })]);
  const liftOf = new Map(
    lifts.map((l) => {
      const body = JSON.parse(l.body) as { suspension: string; reason: string };
      return [body.suspension, { at: l.validFrom ?? l.createdAt, reason: body.reason, transactionId: l.transactionId }] as const;
    }),
  );
  return found.map((s) => ({ ...s, lifted: liftOf.get(s.id) ?? null }));
}

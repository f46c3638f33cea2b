import type { Db } from '../../db/client';
import { COMPLIANCE_RULES } from '../compliance/catalog';
import { BUILT_IN_RULE_VERSIONS, PLUGGABLE_RULES } from './catalog';
import type { SettingBody } from './records';

/**
 * What the administrators' pages show of the rules: read-only views over the catalog and the
 * administrative records (rule settings, suspensions, corrections, reservations, authorizations).
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

/** The current setting of every rule in every scope (the latest revision), newest first. */
export async function currentSettings(db: Db): Promise<SettingView[]> {
  const rows = await db.administrativeRecord.findMany({ where: { kind: 'RULE_SETTING' }, orderBy: { createdAt: 'desc' } });
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

/** The latest administrative records of one kind (suspensions, corrections, authorizations, reservations), newest first. */
export async function recentRecords(db: Db, kind: 'RULE_SUSPENSION' | 'CORRECTION' | 'AUTHORIZATION' | 'RESERVATION' | 'RESERVATION_RELEASE' | 'FIRST_TRANSFER_MARKER', limit = 50): Promise<RecordView[]> {
  const rows = await db.administrativeRecord.findMany({ where: { kind }, orderBy: { createdAt: 'desc' }, take: limit });
  return rows.map((r) => ({ id: r.id, subject: r.subject, scopeType: r.scopeType, scopeId: r.scopeId, body: JSON.parse(r.body) as Record<string, unknown>, validFrom: r.validFrom, validUntil: r.validUntil, transactionId: r.transactionId, createdAt: r.createdAt }));
}

/** Transfers that wait for an answer: reservations without a release. */
export async function pendingReservations(db: Db): Promise<RecordView[]> {
  const [reservations, releases] = await Promise.all([recentRecords(db, 'RESERVATION', 200), db.administrativeRecord.findMany({ where: { kind: 'RESERVATION_RELEASE' }, select: { scopeId: true } })]);
  const answered = new Set(releases.map((r) => r.scopeId));
  return reservations.filter((r) => !answered.has(r.transactionId));
}

export interface SuspensionView extends RecordView {
  /** When and why it was lifted early (RULE_SUSPENSION_LIFT), if it was. */
  readonly lifted: { readonly at: Date; readonly reason: string; readonly transactionId: string } | null;
}

/** The latest suspensions, newest first, each with its early lift if any. */
export async function suspensions(db: Db, limit = 50): Promise<SuspensionView[]> {
  const [found, lifts] = await Promise.all([recentRecords(db, 'RULE_SUSPENSION', limit), db.administrativeRecord.findMany({ where: { kind: 'RULE_SUSPENSION_LIFT' } })]);
  const liftOf = new Map(
    lifts.map((l) => {
      const body = JSON.parse(l.body) as { suspension: string; reason: string };
      return [body.suspension, { at: l.validFrom ?? l.createdAt, reason: body.reason, transactionId: l.transactionId }] as const;
    }),
  );
  return found.map((s) => ({ ...s, lifted: liftOf.get(s.id) ?? null }));
}

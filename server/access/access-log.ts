import type { Db } from '../db/client';
import type { Actor } from '../ledger/types';

/**
 * The access log of reads of confidential data (A6R-25 (j): non-modifying access is tracked too):
 * who saw which resource, when, and, while impersonating, on whose behalf. Append-only in the
 * database. Not part of the hash-chained ledger log: reads change no state and are far more numerous.
 */
export async function recordRead(db: Db, actor: Actor, action: string, resource: string, now: Date): Promise<void> {
  await db.accessLogEntry.create({ data: { userId: actor.userId, impersonatorId: actor.impersonatorId, action, resource, createdAt: now } });
}

/** One entry per resource seen at once, e.g. every account of a dashboard with its balance. */
export async function recordReads(db: Db, actor: Actor, action: string, resources: readonly string[], now: Date): Promise<void> {
  if (resources.length === 0) return;
  await db.accessLogEntry.createMany({ data: resources.map((resource) => ({ userId: actor.userId, impersonatorId: actor.impersonatorId, action, resource, createdAt: now })) });
}

export interface AccessLogLine {
  readonly userId: string;
  readonly impersonatorId: string | null;
  readonly action: string;
  readonly resource: string;
  readonly createdAt: Date;
}

/** The latest reads of one resource, newest first. */
export async function readsOf(db: Db, resource: string, limit = 50): Promise<AccessLogLine[]> {
  return db.accessLogEntry.findMany({ where: { resource }, orderBy: { id: 'desc' }, take: limit, select: { userId: true, impersonatorId: true, action: true, resource: true, createdAt: true } });
}

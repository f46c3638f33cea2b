import type { Db } from '../db/client';

/**
 * The credential and access log (A6R-50): the logged acts about users, their identity checks,
 * credentials, grants and external systems, newest first, as system administrators review them. Read
 * from the ledger's transactions, which the signed log backs entry by entry.
 */
export const CREDENTIAL_ACT_KINDS = [
  'REGISTRY_INIT',
  'USER_CREATE',
  'IDENTITY_CHECK',
  'CREDENTIAL_ISSUE',
  'CREDENTIAL_ENROLL',
  'PASSKEY_REGISTER',
  'PASSKEY_REMOVE',
  'USER_ACCESS_SUSPEND',
  'USER_ACCESS_RESTORE',
  'USER_ANONYMISE',
  'GRANT_CREATE',
  'GRANT_SUSPEND',
  'GRANT_REINSTATE',
  'GRANT_REVOKE',
  'IMPERSONATION_START',
  'IMPERSONATION_END',
  'API_CLIENT_REGISTER',
  'API_CLIENT_REVOKE',
] as const;

export interface CredentialLogLine {
  readonly transactionId: string;
  readonly kind: string;
  readonly createdAt: Date;
  readonly initiatorId: string | null;
  readonly impersonatorId: string | null;
  /** The user the act was about, from its logged input. */
  readonly subjectUserId: string | null;
  readonly role: string | null;
  readonly scope: string | null;
}

export async function credentialLog(db: Db, limit = 200): Promise<CredentialLogLine[]> {
  const rows = await db.ledgerTransaction.findMany({
    where: { kind: { in: [...CREDENTIAL_ACT_KINDS] }, status: 'RECORDED' },
    orderBy: { createdAt: 'desc' },
    take: limit,
    select: { id: true, kind: true, createdAt: true, initiatorId: true, impersonatorId: true, input: true },
  });
  return rows.map((r) => {
    const proposal = (JSON.parse(r.input) as { proposal?: Record<string, unknown> }).proposal ?? {};
    const text = (key: string) => (typeof proposal[key] === 'string' ? (proposal[key] as string) : null);
    return {
      transactionId: r.id,
      kind: r.kind,
      createdAt: r.createdAt,
      initiatorId: r.initiatorId,
      impersonatorId: r.impersonatorId,
      subjectUserId: text('userId') ?? text('targetUserId'),
      role: text('role'),
      scope: text('sectionId') ?? text('accountId'),
    };
  });
}

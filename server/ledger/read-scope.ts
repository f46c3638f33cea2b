import { Prisma } from '../db/generated/client';

/**
 * Whose data a read may return. It is decided from the reader's grants by the policy module
 * (`readScope` in server/access/policy.ts), the one place that knows who may see what, and every read
 * of records that belong to a Party or an account takes it as a required argument, so that no read can
 * forget whose data it returns.
 *
 * - `REGISTRY`: everything (registry administrators).
 * - `LIMITED`: the sections the reader administers (with their accounts) and the accounts the reader
 *   holds or views. A reader with neither sees nothing that belongs to a Party or an account.
 */
export type ReadScope = { readonly kind: 'REGISTRY' } | { readonly kind: 'LIMITED'; readonly sectionIds: readonly string[]; readonly accountIds: readonly string[] };

export const WHOLE_REGISTRY: ReadScope = Object.freeze({ kind: 'REGISTRY' });

/** Whether the scope covers an account: the registry's, one of its sections, or the account itself. */
export function scopeCovers(scope: ReadScope, account: { readonly id: string; readonly sectionId: string | null }): boolean {
  return scope.kind === 'REGISTRY' || scope.accountIds.includes(account.id) || (account.sectionId !== null && scope.sectionIds.includes(account.sectionId));
}

/** An account (by its id column and section column) is within the scope. */
export function accountInScope(scope: ReadScope, id: Prisma.Sql, sectionId: Prisma.Sql): Prisma.Sql {
  if (scope.kind === 'REGISTRY') return Prisma.sql`TRUE`;
  return Prisma.sql`(${sectionId} = ANY(${[...scope.sectionIds]}::text[]) OR ${id} = ANY(${[...scope.accountIds]}::text[]))`;
}

/**
 * A rule setting or suspension (alias `r`) is within the scope: registry-wide ones are the registry's
 * own and shown to every reader of rules; one of a section, of an account, or of a cooperative approach
 * only where that section, that account, or an account of that approach is the reader's.
 */
export function ruleScopeInScope(scope: ReadScope): Prisma.Sql {
  if (scope.kind === 'REGISTRY') return Prisma.sql`TRUE`;
  return Prisma.sql`(
    r."scopeType" = 'REGISTRY'
    OR (r."scopeType" = 'SECTION' AND r."scopeId" = ANY(${[...scope.sectionIds]}::text[]))
    OR (r."scopeType" = 'ACCOUNT' AND EXISTS (SELECT 1 FROM "Account" a WHERE a.id = r."scopeId" AND ${accountInScope(scope, Prisma.sql`a.id`, Prisma.sql`a."sectionId"`)}))
    OR (r."scopeType" = 'COOPERATIVE_APPROACH' AND EXISTS (SELECT 1 FROM "Account" a WHERE a."cooperativeApproachId" = r."scopeId" AND ${accountInScope(scope, Prisma.sql`a.id`, Prisma.sql`a."sectionId"`)}))
  )`;
}

/**
 * A correction (alias `r`) is within the scope when its transaction moved units of an account in it:
 * the accounts its log entry's operations name (the log entry is found by its indexed transaction id).
 */
export function transactionInScope(scope: ReadScope): Prisma.Sql {
  if (scope.kind === 'REGISTRY') return Prisma.sql`TRUE`;
  return Prisma.sql`EXISTS (
    SELECT 1 FROM "LogEntry" e CROSS JOIN LATERAL jsonb_array_elements(e.payload::jsonb -> 'operations') AS op
    JOIN "Account" a ON a.id = op ->> 'accountId'
    WHERE e."transactionId" = r."transactionId" AND ${accountInScope(scope, Prisma.sql`a.id`, Prisma.sql`a."sectionId"`)}
  )`;
}

/** A reservation (alias `r`) is within the scope when the account it waits to leave, or to reach, is. */
export function reservationInScope(scope: ReadScope): Prisma.Sql {
  if (scope.kind === 'REGISTRY') return Prisma.sql`TRUE`;
  return Prisma.sql`EXISTS (
    SELECT 1 FROM "Account" a
    WHERE a.id IN (r.body::jsonb ->> 'fromAccountId', r.body::jsonb ->> 'toAccountId') AND ${accountInScope(scope, Prisma.sql`a.id`, Prisma.sql`a."sectionId"`)}
  )`;
}

/** An authorization (alias `r`, whose subject is the authorizing Party) is within the scope when the Party's section is. */
export function partyInScope(scope: ReadScope): Prisma.Sql {
  if (scope.kind === 'REGISTRY') return Prisma.sql`TRUE`;
  return Prisma.sql`r.subject = ANY(${[...scope.sectionIds]}::text[])`;
}

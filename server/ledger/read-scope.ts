import { Prisma } from '../db/generated/client';
import type { ReadScope } from './authority';

/**
 * A read scope (authority.ts decides it) as SQL conditions, for the reads that filter in the database.
 * Each condition names the columns it judges, so it can be placed in any query; `TRUE` for the whole
 * registry.
 */

/** An account (by its id, section and cooperative-approach columns) is within the scope. */
export function accountInScope(scope: ReadScope, id: Prisma.Sql, sectionId: Prisma.Sql, approachId: Prisma.Sql): Prisma.Sql {
  if (scope.kind === 'REGISTRY') return Prisma.sql`TRUE`;
  const reached = scope.limited.map(
    (r) => Prisma.sql`(${approachId} = ANY(${[...r.approachIds]}::text[]) AND ${r.accountId === null ? Prisma.sql`${sectionId} = ${r.sectionId}` : Prisma.sql`${id} = ${r.accountId}`})`,
  );
  return Prisma.sql`(${sectionId} = ANY(${[...scope.sectionIds]}::text[]) OR ${id} = ANY(${[...scope.accountIds]}::text[])${reached.length === 0 ? Prisma.empty : Prisma.sql` OR ${Prisma.join(reached, ' OR ')}`})`;
}

/** The condition on an `"Account"` row aliased `a`. */
export function accountRowInScope(scope: ReadScope): Prisma.Sql {
  return accountInScope(scope, Prisma.sql`a.id`, Prisma.sql`a."sectionId"`, Prisma.sql`a."cooperativeApproachId"`);
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
    OR (r."scopeType" = 'ACCOUNT' AND EXISTS (SELECT 1 FROM "Account" a WHERE a.id = r."scopeId" AND ${accountRowInScope(scope)}))
    OR (r."scopeType" = 'COOPERATIVE_APPROACH' AND EXISTS (SELECT 1 FROM "Account" a WHERE a."cooperativeApproachId" = r."scopeId" AND ${accountRowInScope(scope)}))
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
    WHERE e."transactionId" = r."transactionId" AND ${accountRowInScope(scope)}
  )`;
}

/** A reservation (alias `r`) is within the scope when the account it waits to leave, or to reach, is. */
export function reservationInScope(scope: ReadScope): Prisma.Sql {
  if (scope.kind === 'REGISTRY') return Prisma.sql`TRUE`;
  return Prisma.sql`EXISTS (
    SELECT 1 FROM "Account" a
    WHERE a.id IN (r.body::jsonb ->> 'fromAccountId', r.body::jsonb ->> 'toAccountId') AND ${accountRowInScope(scope)}
  )`;
}

/** An authorization (alias `r`, whose subject is the authorizing Party) is within the scope when the Party's section is. */
export function partyInScope(scope: ReadScope): Prisma.Sql {
  if (scope.kind === 'REGISTRY') return Prisma.sql`TRUE`;
  return Prisma.sql`r.subject = ANY(${[...scope.sectionIds]}::text[])`;
}

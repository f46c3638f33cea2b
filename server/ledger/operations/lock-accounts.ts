import { Prisma } from '../../db/generated/client';
import type { AccountFacts } from '../types';

/**
 * Locks the accounts a transaction touches, always in id order so that two transactions never wait
 * for each other in a cycle. The account whose units leave is locked FOR UPDATE: every change to an
 * account's blocks happens under that lock, so no two writers can close the same block. Accounts that
 * only receive are locked FOR SHARE: receiving does not conflict with receiving, only with a status
 * change.
 */
export async function lockAccounts(tx: Prisma.TransactionClient, exclusive: readonly string[], shared: readonly string[]): Promise<Map<string, AccountFacts>> {
  const ids = [...new Set([...exclusive, ...shared])].sort();
  const found = new Map<string, AccountFacts>();
  for (const id of ids) {
    const rows = exclusive.includes(id)
      ? await tx.$queryRaw<AccountFacts[]>`SELECT id, type, status, "sectionId" FROM "Account" WHERE id = ${id} FOR UPDATE`
      : await tx.$queryRaw<AccountFacts[]>`SELECT id, type, status, "sectionId" FROM "Account" WHERE id = ${id} FOR SHARE`;
    const row = rows[0];
    if (row) found.set(id, row);
  }
  return found;
}

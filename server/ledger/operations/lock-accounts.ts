import { GENESIS_HASH, LOG_CHAINS } from '../log';
import { beginPipeline, booleanArray, textArray, type Sql } from '../sql';
import type { QueryResultRow } from 'pg';
import type { AccountFacts, ClaimedChain } from '../types';
import type { FirstRead } from './select-units';

/**
 * Locks the accounts a transaction touches and claims a log chain, in one round trip
 * (`registry_lock`). The locks are transaction-scoped advisory locks on the account ids, taken in one
 * order (of their keys) by every transaction, so that none waits for another in a cycle. An account
 * whose units leave, or whose configuration changes, is locked exclusively: every change to an
 * account's blocks happens under that lock, so no two writers can close the same block. An account
 * that only receives is locked shared: receiving does not conflict with receiving, only with a change
 * of the account itself, and many writers can send into one account at once without writing to its row
 * (prisma/functions/registry_lock.sql).
 */
export async function lockAccounts<R extends QueryResultRow = never>(
  sql: Sql,
  exclusive: readonly string[],
  shared: readonly string[],
  then?: FirstRead,
): Promise<{ accounts: Map<string, AccountFacts>; chain: ClaimedChain; then: R[] }> {
  // The transaction's first statement, sent together with its BEGIN and, when given, the first read
  // that needs the locks: one round trip. Within the transaction each statement sees what was
  // committed before it started, so `then` sees the accounts as locked.
  // Without duplicates (registry_lock orders the locks); sorted, so that the message is the same for
  // the same accounts.
  const ids = [...new Set([...exclusive, ...shared])].sort();
  const modes = ids.map((id) => exclusive.includes(id));
  // The most common first read, an implicit selection without constraints, is made by registry_lock
  // itself (one statement less); any other travels as the next statement of the message.
  const inLock = then && 'inLock' in then ? then.inLock : undefined;
  const lock = {
    text: 'SELECT registry_lock($1::text[], $2::boolean[], $3::integer, $4, $5::bigint, $6::integer) AS locked',
    values: [textArray(ids), booleanArray(modes), String(LOG_CHAINS), inLock?.accountId ?? null, inLock?.quantity.toString() ?? null, inLock ? String(inLock.rows) : null],
    setsPlanner: true,
  };
  const results = await beginPipeline(sql, [lock, ...(then && !('inLock' in then) ? [then] : [])]);
  const locked = (results[0]?.rows[0] as { locked?: { accounts: AccountFacts[]; chain: number; head: string | null; blocks?: [boolean, string, string, string, string][] } } | undefined)?.locked;
  if (!locked) throw new Error('registry_lock returned nothing');
  const read = inLock ? (locked.blocks ?? []).map(([exact, id, seriesId, firstSerial, lastSerial]) => ({ exact, id: BigInt(id), seriesId, firstSerial: BigInt(firstSerial), lastSerial: BigInt(lastSerial) })) : (results[1]?.rows ?? []);
  return {
    accounts: new Map(locked.accounts.map((a) => [a.id, a])),
    chain: { chain: locked.chain, head: locked.head ?? GENESIS_HASH },
    then: read as unknown as R[],
  };
}

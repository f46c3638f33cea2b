import { GENESIS_HASH, LOG_CHAINS } from '../log';
import { beginPipeline, booleanArray, textArray, type Sql, type Step } from '../sql';
import type { QueryResultRow } from 'pg';
import type { AccountFacts } from '../types';

/** A claimed log chain and its head hash, held until the transaction ends. */
export interface ClaimedChain {
  readonly chain: number;
  readonly head: string;
}

/**
 * Locks the accounts a transaction touches and claims a log chain, in one round trip
 * (`registry_lock`). The locks are transaction-scoped advisory locks on the account ids, taken in one
 * order (of their keys) by every transaction, so that none waits for another in a cycle. An account
 * whose units leave, or whose configuration changes, is locked exclusively: every change to an
 * account's blocks happens under that lock, so no two writers can close the same block. An account
 * that only receives is locked shared: receiving does not conflict with receiving, only with a change
 * of the account itself, and many writers can send into one account at once without writing to its row
 * (migration 20261122004100_account_locks).
 */
export async function lockAccounts<R extends QueryResultRow = never>(
  sql: Sql,
  exclusive: readonly string[],
  shared: readonly string[],
  then?: Step,
): Promise<{ accounts: Map<string, AccountFacts>; chain: ClaimedChain; then: R[] }> {
  // The transaction's first statement, sent together with its BEGIN and, when given, the first read
  // that needs the locks: one round trip. Within the transaction each statement sees what was
  // committed before it started, so `then` sees the accounts as locked.
  // Without duplicates (registry_lock orders the locks); sorted, so that the message is the same for
  // the same accounts.
  const ids = [...new Set([...exclusive, ...shared])].sort();
  const modes = ids.map((id) => exclusive.includes(id));
  const results = await beginPipeline(sql, [{ text: 'SELECT registry_lock($1::text[], $2::boolean[], $3::integer) AS locked', values: [textArray(ids), booleanArray(modes), String(LOG_CHAINS)], setsPlanner: true }, ...(then ? [then] : [])]);
  const locked = (results[0]?.rows[0] as { locked?: { accounts: AccountFacts[]; chain: number; head: string | null } } | undefined)?.locked;
  if (!locked) throw new Error('registry_lock returned nothing');
  return {
    accounts: new Map(locked.accounts.map((a) => [a.id, a])),
    chain: { chain: locked.chain, head: locked.head ?? GENESIS_HASH },
    then: (results[1]?.rows ?? []) as R[],
  };
}

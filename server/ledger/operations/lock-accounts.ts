import { GENESIS_HASH, LOG_CHAINS } from '../log';
import { beginWith, literal, type Sql } from '../sql';
import type { QueryResultRow } from 'pg';
import type { AccountFacts } from '../types';

/** A claimed log chain and its head hash, held until the transaction ends. */
export interface ClaimedChain {
  readonly chain: number;
  readonly head: string;
}

/**
 * Locks the accounts a transaction touches and claims a log chain, in one round trip
 * (`registry_lock`). Accounts are locked in one order, sorted here, so that two transactions never
 * wait for each other in a cycle. An account whose units leave, or whose configuration changes, is locked FOR NO KEY
 * UPDATE: every change to an account's blocks happens under that lock, so no two writers can close the
 * same block. An account that only receives is locked FOR SHARE: receiving does not conflict with
 * receiving, only with a change of the account itself.
 */
export async function lockAccounts<R extends QueryResultRow = never>(
  sql: Sql,
  exclusive: readonly string[],
  shared: readonly string[],
  then?: string,
): Promise<{ accounts: Map<string, AccountFacts>; chain: ClaimedChain; then: R[] }> {
  // The transaction's first statement, sent together with its BEGIN and, when given, the first read
  // that needs the locks: one round trip. Within the transaction each statement sees what was
  // committed before it started, so `then` sees the accounts as locked.
  // Sorted by code unit, without duplicates: the one order every transaction locks accounts in.
  const ids = [...new Set([...exclusive, ...shared])].sort();
  const modes = ids.map((id) => (exclusive.includes(id) ? 'true' : 'false'));
  const results = await beginWith(sql, `SELECT registry_lock(${literal(sql, ids)}, ARRAY[${modes.join(',')}]::boolean[], ${literal(sql, LOG_CHAINS)}) AS locked${then ? `; ${then}` : ''}`);
  const locked = (results[0]?.rows[0] as { locked?: { accounts: AccountFacts[]; chain: number; head: string | null } } | undefined)?.locked;
  if (!locked) throw new Error('registry_lock returned nothing');
  return {
    accounts: new Map(locked.accounts.map((a) => [a.id, a])),
    chain: { chain: locked.chain, head: locked.head ?? GENESIS_HASH },
    then: (results[1]?.rows ?? []) as R[],
  };
}

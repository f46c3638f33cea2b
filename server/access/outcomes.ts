import type { Db } from '../db/client';
import type { Refusal } from '../ledger/check-codes';
import { scopeCovers } from '../ledger/authority';
import type { Outcome } from '../ledger/types';
import { readScope, type Subject } from './policy';

/**
 * An outcome as its reader may see it. A refusal names the data it judged, and that may be the status
 * of an account of another Party (a frozen acquiring account, a suspended fee account): the refusal's
 * code and message say that the account cannot take part, which the proposer must know, but the
 * account's status is shown only to a reader whose scope covers the account. The log keeps the whole
 * refusal.
 */
export async function outcomeForReader(db: Db, subject: Subject, outcome: Outcome): Promise<Outcome> {
  if (outcome.status !== 'REJECTED') return outcome;
  const named = [...new Set(outcome.refusals.filter((r) => 'status' in r.judged && typeof r.judged.accountId === 'string').map((r) => r.judged.accountId as string))];
  if (named.length === 0) return outcome;
  const scope = readScope(subject);
  const accounts = await db.account.findMany({ where: { id: { in: named } }, select: { id: true, sectionId: true, cooperativeApproachId: true } });
  const visible = new Set(accounts.filter((a) => scopeCovers(scope, a)).map((a) => a.id));
  const refusals = outcome.refusals.map((r): Refusal => {
    const accountId = r.judged.accountId;
    if (!('status' in r.judged) || typeof accountId !== 'string' || visible.has(accountId)) return r;
    const { status: _hidden, ...judged } = r.judged;
    return { ...r, judged };
  });
  return { ...outcome, refusals };
}

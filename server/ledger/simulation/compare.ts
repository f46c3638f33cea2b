import type { Outcome } from '../types';
import type { LedgerModel } from './model';
import type { ModelBlock, Prediction } from './model/types';
import type { AccountRow, BlockRow } from './reads';
import { IDENTICAL_BURST, size, type Step } from './steps';

/**
 * The model against the ledger: a reply against its prediction, and the rows read from the database
 * against the model's accounts. Each comparison returns what differs, as the text a failure shows, or
 * null when they agree; the run turns a difference into a SimulationMismatch.
 */

/** Status, replay flag, and then the quantity recorded or the refusal codes, in order. */
export function outcomeDifference(expected: Prediction, actual: Outcome, context: string): string | null {
  const shown = (p: Prediction | Outcome) =>
    'codes' in p
      ? `${p.status} ${p.codes.join(',')}${p.replayed ? ' (replayed)' : ''}`
      : p.status === 'RECORDED'
        ? `RECORDED quantity ${p.quantity}${p.replayed ? ' (replayed)' : ''}`
        : `REJECTED ${p.refusals.map((r) => `${r.code} ${r.check} ${JSON.stringify(r.judged)}`).join('; ')}${p.replayed ? ' (replayed)' : ''}`;
  const differs = `${context}\n  expected ${shown(expected)}\n  actual   ${shown(actual)}`;
  if (expected.status !== actual.status || expected.replayed !== actual.replayed) return differs;
  if (expected.status === 'RECORDED' && actual.status === 'RECORDED' && expected.quantity !== actual.quantity) return differs;
  if (expected.status === 'REJECTED' && actual.status === 'REJECTED' && expected.codes.join(',') !== actual.refusals.map((r) => r.code).join(',')) return differs;
  return null;
}

/**
 * The exact open blocks, and the type, status and section, of the given accounts (all the model
 * knows when null): the rows read for them (reads.ts) against the model.
 */
export function accountsDifference(model: LedgerModel, accountIds: readonly string[] | null, rows: { readonly blocks: readonly BlockRow[]; readonly accounts: readonly AccountRow[] }, context: string): string | null {
  const text = (accountId: string, b: ModelBlock) => `${accountId} ${b.seriesId} ${b.firstSerial}-${b.lastSerial}`;
  const actual = rows.blocks.map((b) => text(b.accountId, b)).sort();
  const ids = accountIds ?? model.accounts().map((a) => a.id);
  const expected = ids.flatMap((id) => model.blocksOf(id).map((b) => text(id, b))).sort();
  if (actual.join('\n') !== expected.join('\n')) {
    const a = new Set(actual);
    const e = new Set(expected);
    const missing = expected.filter((x) => !a.has(x)).slice(0, 10);
    const extra = actual.filter((x) => !e.has(x)).slice(0, 10);
    return `${context}\n  blocks differ in ${ids.join(', ')}\n  expected but not in the database: ${missing.join(' | ') || '-'}\n  in the database but not expected: ${extra.join(' | ') || '-'}`;
  }
  const facts = (a: { id: string; type: string; status: string; sectionId: string | null }) => `${a.id} ${a.type} ${a.status} ${a.sectionId ?? '-'}`;
  const actualAccounts = rows.accounts.map(facts).sort();
  const expectedAccounts = ids
    .flatMap((id) => {
      const a = model.account(id);
      return a ? [facts(a)] : [];
    })
    .sort();
  if (actualAccounts.join('\n') !== expectedAccounts.join('\n')) return `${context}\n  accounts differ\n  expected ${expectedAccounts.join(' | ')}\n  actual   ${actualAccounts.join(' | ')}`;
  return null;
}

/**
 * The order-independent check of a burst of identical implicit transfers, made before the model sees
 * the burst: each takes the same quantity, so exactly min(n, floor(available / quantity)) succeed,
 * and the others find too few units, unless the accounts refuse them all. Null for other bursts.
 */
export function burstFeasibility(model: LedgerModel, step: Extract<Step, { kind: 'burst' }>): ((outcomes: readonly Outcome[]) => string | null) | null {
  const proposal = step.items[0]?.proposal;
  if (step.label !== IDENTICAL_BURST || !proposal || proposal.kind !== 'TRANSFER' || proposal.selection.mode !== 'implicit' || proposal.selection.quantity <= 0n) return null;
  const quantity = proposal.selection.quantity;
  const available = model.matchingBlocks(proposal.fromAccountId, proposal.selection.constraints).reduce((sum, b) => sum + size(b), 0n);
  const feasible = Math.min(step.items.length, Number(available / quantity));
  return (outcomes) => {
    // Refused alike by the accounts (2xxx, 3xxx) or by a business rule (6xxx: a refused transfer takes
    // no units, so the next finds the same and is refused the same way).
    const accountRefusals = outcomes.every((o) => o.status === 'REJECTED' && o.refusals.every((r) => r.code < 4000 || r.code >= 6000));
    if (accountRefusals) return null;
    const recorded = outcomes.filter((o) => o.status === 'RECORDED').length;
    const unitRefusals = outcomes.filter((o) => o.status === 'REJECTED' && o.refusals.every((r) => r.code === 5002 || r.code === 4002)).length;
    if (recorded !== feasible || recorded + unitRefusals !== outcomes.length) {
      return `${step.label}: ${recorded} of ${outcomes.length} transfers of ${quantity} recorded out of ${available} available (expected ${feasible}), ${unitRefusals} refused for too few units`;
    }
    return null;
  };
}

/**
 * The benchmark's rules phase (A6R-36, cost of the rules engine): the transfers of phase (a) again,
 * with the full default rule set active (server/ledger/rules/defaults.ts): a registry-wide transfer
 * limit, a transfer fee of 1 % to a fee account, the share of proceeds and the OMGE cancellation at
 * issuance. Every
 * transfer is judged by all of them and pays its fee, a supplementary operation in the same transaction.
 *
 * Separate from ledger-bench.ts so that the phase can be wired in (or left out) in one place:
 *
 *   const rules = await runRulesPhase({ ctx, admin, pairs, seconds: SECONDS, clients: CLIENTS });
 *   ... rules_ratio=${(rules.transfersPerS / pgbench).toFixed(2)}
 *
 * `pairs` are [from, to] holding accounts, one pair per client, funded like those of phase (a).
 */
import { defaultRuleSet } from '../../server/ledger/rules/defaults';
import type { Actor, LedgerContext } from '../../server/ledger/types';
import { execute } from '../../server/ledger/write-path';

export interface RulesPhaseOptions {
  readonly ctx: LedgerContext;
  readonly admin: Actor;
  readonly pairs: readonly (readonly [string, string])[];
  readonly seconds: number;
  /** The benchmark's round (it alternates its phases): part of every idempotency key. Default 0. */
  readonly round?: number;
}

export interface RulesPhaseResult {
  readonly transfers: number;
  readonly transfersPerS: number;
  /** Sorted latencies, ms. */
  readonly latencies: readonly number[];
}

async function must(ctx: LedgerContext, admin: Actor, proposal: Parameters<typeof execute>[2]): Promise<void> {
  const outcome = await execute(ctx, admin, proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`rules phase setup refused: ${JSON.stringify(outcome.refusals)}`);
}

/**
 * Opens the fee and Adaptation Fund accounts (once: in later rounds the same keys return the first
 * outcome) and activates the default rule set, registry-wide.
 */
export async function activateDefaultRules(ctx: LedgerContext, admin: Actor, prefix = 'BENCH', round = 0): Promise<void> {
  const feeAccountId = `${prefix}-FEE`;
  const adaptationFundAccountId = `${prefix}-AF`;
  const omgeAccountId = `${prefix}-OMGE`;
  for (const [id, type] of [[feeAccountId, 'HOLDING'], [adaptationFundAccountId, 'ADAPTATION_FUND'], [omgeAccountId, 'CANCELLATION']] as const) {
    await must(ctx, admin, { kind: 'OPEN_ACCOUNT', idempotencyKey: `rules-open-${id}`, account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'Registry', sectionId: null, cooperativeApproachId: null } });
    await must(ctx, admin, { kind: 'SET_ACCOUNT_STATUS', idempotencyKey: `rules-activate-${id}`, accountId: id, status: 'ACTIVE' });
  }
  for (const [i, proposal] of defaultRuleSet({ feeAccountId, adaptationFundAccountId, omgeAccountId }).entries()) await must(ctx, admin, { ...proposal, idempotencyKey: `rules-default-${round}-${i}` });
}

/** Switches the default rules off again, registry-wide: later phases measure the ledger alone. */
export async function deactivateDefaultRules(ctx: LedgerContext, admin: Actor, prefix = 'BENCH', round = 0): Promise<void> {
  const accounts = { feeAccountId: `${prefix}-FEE`, adaptationFundAccountId: `${prefix}-AF`, omgeAccountId: `${prefix}-OMGE` };
  for (const [i, proposal] of defaultRuleSet(accounts).entries()) await must(ctx, admin, { ...proposal, enabled: false, settings: {}, idempotencyKey: `rules-default-off-${round}-${i}` });
}

/** Activates the default rules, then runs implicit transfers of 1 to 1,000 units on every pair for `seconds`. */
export async function runRulesPhase(options: RulesPhaseOptions): Promise<RulesPhaseResult> {
  const { ctx, admin, pairs, round = 0 } = options;
  await activateDefaultRules(ctx, admin, 'BENCH', round);
  const latencies: number[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  await Promise.all(
    pairs.map(async ([from, to], client) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t = performance.now();
        const outcome = await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: `rules-${round}-${client}-${i}`, fromAccountId: from, toAccountId: to, selection: { mode: 'implicit', quantity: BigInt(1 + ((i * 7919) % 1000)), constraints: {} } });
        latencies.push(performance.now() - t);
        if (outcome.status !== 'RECORDED') throw new Error(`rules phase transfer refused: ${JSON.stringify(outcome.refusals)}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { transfers: latencies.length, transfersPerS: latencies.length / seconds, latencies: latencies.sort((a, b) => a - b) };
}

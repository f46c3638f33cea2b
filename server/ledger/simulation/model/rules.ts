import type { Actor, ConfigureRuleProposal, LiftSuspensionProposal, RuleScope, SuspendRuleProposal } from '../../types';
import { CODES as C } from './codes';
import { isRegistryAdmin, TYPE_RULES } from './permissions';
import { keyOf, type Decision, type ModelAccount } from './types';

/**
 * The pluggable rules as the model reads docs/rules.md: the rules the simulation configures (each in
 * one scope), their suspensions and early lifts, and how they judge a transaction. The model
 * (../model.ts) asks them about every issuance and transfer.
 */

/** The pluggable rules the simulation configures, each in one scope, with their settings (docs/rules.md). */
type ModelRule =
  | { readonly rule: 'four-eyes'; readonly scope: RuleScope; readonly threshold: bigint; readonly escrowId: string }
  | { readonly rule: 'transfer-fee' | 'share-of-proceeds'; readonly scope: RuleScope; readonly accountId: string; readonly basisPoints: bigint }
  | { readonly rule: 'transfer-limit'; readonly scope: RuleScope; readonly maximum: bigint };

/** A suspension of a rule in a scope, from when it was recorded until lifted (the simulation's windows end in 2100). */
interface ModelSuspension {
  readonly rule: string;
  readonly scope: RuleScope;
  lifted: boolean;
}

/** Units a rule sends elsewhere in the same transaction. */
export interface ModelDiversion {
  readonly accountId: string;
  readonly quantity: bigint;
}

/** Which kinds of transaction each rule judges (the rules' `appliesTo`). */
const RULE_KINDS: Readonly<Record<ModelRule['rule'], readonly ('ISSUANCE' | 'TRANSFER' | 'EXTERNAL_TRANSFER')[]>> = {
  'four-eyes': ['TRANSFER'],
  'share-of-proceeds': ['ISSUANCE'],
  'transfer-fee': ['TRANSFER'],
  'transfer-limit': ['TRANSFER', 'EXTERNAL_TRANSFER'],
};

/** Whether a scope covers an account: the registry all, an approach or section its accounts, an account itself. */
function covers(scope: RuleScope, account: ModelAccount | undefined): boolean {
  if (!account) return false;
  if (scope.type === 'REGISTRY') return true;
  if (scope.type === 'ACCOUNT') return account.id === scope.id;
  if (scope.type === 'SECTION') return account.sectionId === scope.id;
  return account.cooperativeApproachId === scope.id;
}

export class ModelRules {
  /** The pluggable rules configured, by name (one scope each). */
  private readonly configured = new Map<ModelRule['rule'], ModelRule>();
  /** Suspensions by the idempotency key of their proposal, then by their record id. */
  private readonly suspensionsByKey = new Map<string, ModelSuspension>();
  private readonly suspensions = new Map<string, ModelSuspension>();
  /** How often the model predicted each effect of the pluggable rules: workload coverage of docs/rules.md. */
  readonly coverage = { diverted: 0, limitRefused: 0, receiverRefused: 0, letThroughBySuspension: 0, held: 0, delivered: 0, lifted: 0 };

  constructor(
    private readonly accountOf: (id: string) => ModelAccount | undefined,
    private readonly hasSection: (id: string) => boolean,
  ) {}

  /** Configuring a rule: the simulation configures each of four-eyes, transfer-fee, share-of-proceeds and transfer-limit in one scope. */
  configure(actor: Actor, p: ConfigureRuleProposal): Decision {
    if (!p.enabled) throw new Error('model: switching rules off is not simulated');
    if (!isRegistryAdmin(actor)) return { codes: [C.NOT_ALLOWED_TO_CONFIGURE] };
    const settings = p.settings;
    let rule: ModelRule;
    if (p.rule === 'four-eyes') rule = { rule: p.rule, scope: p.scope, threshold: BigInt(String(settings.threshold)), escrowId: String(settings.escrowAccountId) };
    else if (p.rule === 'transfer-fee' || p.rule === 'share-of-proceeds') rule = { rule: p.rule, scope: p.scope, accountId: String(settings.accountId), basisPoints: BigInt(Number(settings.basisPoints)) };
    else if (p.rule === 'transfer-limit') rule = { rule: p.rule, scope: p.scope, maximum: BigInt(String(settings.maximum)) };
    else throw new Error(`model: the rule ${p.rule} is not simulated`);
    if (this.configured.has(rule.rule)) throw new Error(`model: ${rule.rule} is configured in one scope only`);
    return { quantity: 0n, commit: () => this.configured.set(rule.rule, rule) };
  }

  /** A suspension (A6R-17), by a registry administrator with a reason; the simulation's windows start at once and end in 2100. */
  suspend(actor: Actor, p: SuspendRuleProposal): Decision {
    const codes: number[] = [];
    if (!isRegistryAdmin(actor)) codes.push(C.NOT_ALLOWED_TO_CONFIGURE);
    if (!this.configured.has(p.rule as ModelRule['rule']) || p.scope.type !== 'SECTION' || !this.hasSection(p.scope.id) || !(p.from < p.until)) throw new Error('model: only suspensions of configured rules in a section, with a valid window, are simulated');
    if (p.reason.trim() === '') codes.push(C.RULE_SUSPENSION_INVALID);
    if (codes.length > 0) return { codes };
    return { quantity: 0n, commit: () => this.suspensionsByKey.set(keyOf(actor.userId, p.idempotencyKey), { rule: p.rule, scope: p.scope, lifted: false }) };
  }

  /** Lifting a suspension early: registry administrators, with a reason; once, and only while it is in force. */
  lift(actor: Actor, p: LiftSuspensionProposal): Decision {
    const codes: number[] = [];
    if (!isRegistryAdmin(actor)) codes.push(C.NOT_ALLOWED_TO_CONFIGURE);
    const suspension = this.suspensions.get(p.suspensionId);
    if (!suspension || suspension.lifted) codes.push(C.SUSPENSION_NOT_IN_FORCE);
    if (p.reason.trim() === '') codes.push(C.LIFT_REASON_MISSING);
    if (codes.length > 0 || !suspension) return { codes };
    return {
      quantity: 0n,
      commit: () => {
        suspension.lifted = true;
        this.coverage.lifted++;
      },
    };
  }

  /** Suspensions in force, by record id: what the workload may lift. */
  openSuspensions(): string[] {
    return [...this.suspensions].filter(([, x]) => !x.lifted).map(([id]) => id);
  }

  /** Every suspension ever recorded, by record id. */
  allSuspensions(): string[] {
    return [...this.suspensions.keys()];
  }

  /** The record id of a suspension, once its transaction is recorded: the transaction's first administrative record. */
  noteTransaction(key: string, transactionId: string): void {
    const suspension = this.suspensionsByKey.get(key);
    if (suspension) this.suspensions.set(`${transactionId}/0`, suspension);
  }

  /** The accounts rules covering these accounts send units to: compared after a transaction between them. */
  receivers(accountIds: readonly string[]): string[] {
    const parties = accountIds.map((id) => this.accountOf(id));
    return [...this.configured.values()].flatMap((r) => ((r.rule === 'transfer-fee' || r.rule === 'share-of-proceeds') && parties.some((a) => covers(r.scope, a)) ? [r.accountId] : []));
  }

  /**
   * The pluggable rules on a transaction, as docs/rules.md states them: each configured rule that judges
   * this kind and whose scope covers either account, unless a suspension of it covers either account;
   * in the order of their names. A refusal (6001) refuses; a holding rule (four-eyes, not on a delivery)
   * sends every unit to escrow and the others' diversions wait; the accounts that receive units must be
   * active, receive, and differ from both sides (6002, one per account), and must not take every unit.
   */
  judge(kind: 'ISSUANCE' | 'TRANSFER' | 'EXTERNAL_TRANSFER', fromId: string | null, toId: string, quantity: bigint, delivery: boolean): { codes: number[] } | { diversions: ModelDiversion[]; hold: string | null } {
    const parties = [fromId === null ? undefined : this.accountOf(fromId), this.accountOf(toId)];
    const codes: number[] = [];
    let diversions: ModelDiversion[] = [];
    let hold: string | null = null;
    for (const name of [...this.configured.keys()].sort()) {
      const rule = this.configured.get(name) as ModelRule;
      if (!RULE_KINDS[rule.rule].includes(kind) || !parties.some((a) => covers(rule.scope, a))) continue;
      if ([...this.suspensions.values()].some((x) => !x.lifted && x.rule === rule.rule && parties.some((a) => covers(x.scope, a)))) {
        this.coverage.letThroughBySuspension++;
        continue;
      }
      if (rule.rule === 'four-eyes') {
        if (quantity > rule.threshold && !delivery && hold === null) hold = rule.escrowId;
      } else if (rule.rule === 'transfer-limit') {
        if (quantity > rule.maximum) codes.push(C.TRANSFER_LIMIT);
      } else {
        // Basis points of the units, rounded down (transfer-fee v1, share-of-proceeds v1); none when that is 0.
        const share = (quantity * rule.basisPoints) / 10_000n;
        if (share > 0n) diversions.push({ accountId: rule.accountId, quantity: share });
      }
    }
    if (codes.length > 0) {
      this.coverage.limitRefused++;
      return { codes };
    }
    if (hold !== null) diversions = [{ accountId: hold, quantity }];
    const total = diversions.reduce((sum, d) => sum + d.quantity, 0n);
    for (const id of [...new Set(diversions.map((d) => d.accountId))].sort()) {
      const account = this.accountOf(id);
      if (!account || account.status !== 'ACTIVE' || !TYPE_RULES[account.type].receives || id === toId || id === fromId) codes.push(C.SUPPLEMENTARY_ACCOUNT);
    }
    if (diversions.length > 0 && (hold !== null ? total !== quantity : total >= quantity)) codes.push(C.SUPPLEMENTARY_ACCOUNT);
    if (codes.length > 0) {
      this.coverage.receiverRefused++;
      return { codes };
    }
    if (hold !== null) this.coverage.held++;
    else if (diversions.length > 0) this.coverage.diverted++;
    if (delivery) this.coverage.delivered++;
    return { diversions: hold === null ? diversions : [], hold };
  }
}

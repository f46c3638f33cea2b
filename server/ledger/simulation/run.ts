import { checkInvariants, describeViolations } from '../invariants';
import type { Actor, LedgerContext, Outcome, Proposal } from '../types';
import { execute } from '../write-path';
import { accountsDifference, burstFeasibility, outcomeDifference } from './compare';
import { LedgerModel } from './model';
import type { Prediction } from './model/types';
import { readAccounts, transactionCount, transactionTimes } from './reads';
import { ALL_REGRESSION_PROBES, describeProbe, regressionProbeOf, type RegressionProbe } from './regression-probes';
import { jsonText, type Item, type Step } from './steps';
import { nextStep } from './workload/next-step';
import { Workload } from './workload/workload';
import { VIEWER } from './world';

/**
 * The seeded simulator (STYLE.md, TigerBeetle row). The workload (workload/) drives proposals through
 * `execute`, the one write path, and every reply is checked against the model in model.ts (compare.ts):
 * status, refusal codes and quantity, then the exact blocks of every account the proposal named. Every
 * so often all accounts are compared and the invariant checker runs. The first disagreement throws a
 * SimulationMismatch naming the seed, the step, the proposal and the one command that reproduces it.
 *
 * This file runs the steps: one at a time, or a burst all at once. Within a burst the replies are
 * checked by applying the proposals to the model in the order of their transaction timestamps, which
 * the ledger reads under its locks; the end state is compared exactly.
 */

export interface SimulationOptions {
  readonly seed: number;
  /** How many proposals to execute (setup included); a burst may overshoot by a few. */
  readonly operations: number;
  readonly ctx: LedgerContext;
  /** Run the invariant checker every this many operations, and at the end (default 1000). */
  readonly invariantEvery?: number;
  /** Compare every account's blocks and status with the model every this many operations (default 250). */
  readonly fullCompareEvery?: number;
  /**
   * Also generate proposals aimed at the regression probes (REGRESSION_PROBES): true for all of them,
   * or the names of some (default: none, and proposals that would hit one are drawn again).
   */
  readonly probeRegressions?: boolean | readonly RegressionProbe[];
  /** A proposal (or a burst) the ledger has not answered within this long is a failure (default 30 s). */
  readonly answerTimeoutMs?: number;
  /** Multiplies how often concurrent bursts are drawn (default 1; 10 makes most steps bursts). */
  readonly burstWeight?: number;
  readonly log?: (line: string) => void;
}

export interface SimulationReport {
  readonly seed: number;
  readonly operations: number;
  readonly recorded: number;
  readonly rejected: number;
  readonly replayed: number;
  readonly bursts: number;
  readonly invariantChecks: number;
  readonly byLabel: Readonly<Record<string, number>>;
  readonly openBlocks: number;
  /** The largest number of open blocks one account held at the end (the fragment sink). */
  readonly mostBlocksInOneAccount: number;
  /** How often the model predicted each branch of the A6R-52 algorithm. */
  readonly selectionCoverage: Readonly<Record<string, number>>;
  /** How often the model predicted each effect of the pluggable rules (fees, refusals, suspensions, lifts). */
  readonly ruleCoverage: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
  /** Where the time went: waiting for the ledger, comparing with the model, checking invariants. */
  readonly timingsMs: { readonly ledger: number; readonly compare: number; readonly invariants: number };
}

export class SimulationMismatch extends Error {
  override name = 'SimulationMismatch';
  constructor(
    readonly seed: number,
    readonly step: number,
    readonly proposal: unknown,
    readonly detail: string,
    readonly reproduce: string,
  ) {
    super(`simulation seed ${seed}, step ${step}: ${detail}\n  proposal: ${jsonText(proposal)}\n  reproduce: ${reproduce}`);
  }
}

/** Runs the simulation to the end or to the first disagreement (thrown as SimulationMismatch). */
export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
  return new SimulationRun(options).run();
}

class SimulationRun {
  private readonly model = new LedgerModel();
  private readonly workload: Workload;
  private readonly byLabel: Record<string, number> = {};
  private readonly invariantEvery: number;
  private readonly fullCompareEvery: number;
  private step = 0;
  private recorded = 0;
  private rejected = 0;
  private replayed = 0;
  private bursts = 0;
  private invariantChecks = 0;
  private readonly timings = { ledger: 0, compare: 0, invariants: 0 };
  private nextInvariantCheck: number;
  private nextFullCompare: number;

  constructor(private readonly options: SimulationOptions) {
    if (!Number.isInteger(options.operations) || options.operations < 1) throw new Error(`operations must be a positive integer, got ${options.operations}`);
    const probe = options.probeRegressions ?? false;
    this.workload = new Workload(this.model, {
      seed: options.seed,
      probes: probe === true ? ALL_REGRESSION_PROBES : probe === false ? [] : probe,
      burstWeight: options.burstWeight,
      poolConnections: options.ctx.pool.options.max ?? 10,
    });
    this.invariantEvery = options.invariantEvery ?? 1000;
    this.fullCompareEvery = options.fullCompareEvery ?? 250;
    this.nextInvariantCheck = this.invariantEvery;
    this.nextFullCompare = this.fullCompareEvery;
  }

  async run(): Promise<SimulationReport> {
    const started = performance.now();
    if ((await transactionCount(this.options.ctx.pool)) !== 0) throw new Error('simulate: the database must be empty (use a fresh test database)');
    for (const item of this.workload.setup()) await this.single({ kind: 'single', label: 'setup', ...item });
    await this.compareEverything();
    while (this.step < this.options.operations) {
      const next = nextStep(this.workload);
      this.byLabel[next.label] = (this.byLabel[next.label] ?? 0) + (next.kind === 'burst' ? next.items.length : 1);
      if (next.kind === 'single') await this.single(next);
      else await this.burst(next);
      if (this.step >= this.nextFullCompare) {
        this.nextFullCompare = this.step + this.fullCompareEvery;
        await this.compareEverything();
      }
      if (this.step >= this.nextInvariantCheck) {
        this.nextInvariantCheck = this.step + this.invariantEvery;
        await this.invariants(next);
      }
    }
    await this.compareEverything();
    await this.invariants(null);
    return this.report(performance.now() - started);
  }

  private report(elapsedMs: number): SimulationReport {
    const openBlocks = this.model.accounts().reduce((n, a) => n + this.model.blockCount(a.id), 0);
    const mostBlocksInOneAccount = Math.max(...this.model.accounts().map((a) => this.model.blockCount(a.id)));
    const coverage = Object.entries(this.model.coverage).map(([k, v]) => `${k} ${v}`).join(', ');
    const t = this.timings;
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    this.options.log?.(
      `seed ${this.options.seed}: ${this.step} operations (${this.recorded} recorded, ${this.rejected} rejected, ${this.replayed} replayed, ${this.bursts} bursts) in ${seconds(elapsedMs)} s ` +
        `(ledger ${seconds(t.ledger)} s, comparisons ${seconds(t.compare)} s, ${this.invariantChecks} invariant checks ${seconds(t.invariants)} s); ` +
        `${openBlocks} open blocks, at most ${mostBlocksInOneAccount} in one account; implicit selections: ${coverage}; rules: ${Object.entries(this.model.ruleCoverage).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
    return { seed: this.options.seed, operations: this.step, recorded: this.recorded, rejected: this.rejected, replayed: this.replayed, bursts: this.bursts, invariantChecks: this.invariantChecks, byLabel: { ...this.byLabel }, openBlocks, mostBlocksInOneAccount, selectionCoverage: { ...this.model.coverage }, ruleCoverage: { ...this.model.ruleCoverage }, elapsedMs, timingsMs: { ...t } };
  }

  // ---- failing ----

  /** The command that runs this seed again, up to this step. */
  private reproduce(): string {
    const probes = this.workload.probes;
    const probe = this.workload.aimsAtAllProbes ? ' --probe-regressions' : [...probes].map((name) => ` --probe ${name}`).join('');
    const bursts = this.options.burstWeight !== undefined && this.options.burstWeight !== 1 ? ` --burst-weight ${this.options.burstWeight}` : '';
    return `npm run ledger:simulate -- --seed ${this.options.seed} --operations ${this.step}${probe}${bursts}`;
  }

  private fail(proposal: unknown, detail: string): never {
    throw new SimulationMismatch(this.options.seed, this.step, proposal, detail, this.reproduce());
  }

  /** Fails with the difference a comparison found, if any. */
  private check(proposal: unknown, difference: string | null): void {
    if (difference !== null) this.fail(proposal, difference);
  }

  // ---- one proposal ----

  private async single(step: Extract<Step, { kind: 'single' }>): Promise<void> {
    this.step++;
    const probe = regressionProbeOf(this.model, step.actor, step.proposal);
    const prediction = this.predict(step.actor, step.proposal, step.label);
    let outcome: Outcome;
    const started = performance.now();
    try {
      outcome = await this.answered(execute(this.options.ctx, step.actor, step.proposal));
    } catch (error) {
      const aftermath = await this.aftermath();
      this.fail(step.proposal, `${step.label}: the ledger threw instead of answering: ${(error as Error).stack ?? String(error)}${aftermath}${probe ? `\n  ${describeProbe(probe)}` : ''}`);
    }
    const executed = performance.now();
    this.timings.ledger += executed - started;
    const context = `${step.label} by ${jsonText(step.actor)}${probe ? ` (${describeProbe(probe)})` : ''}`;
    this.check(step.proposal, outcomeDifference(prediction, outcome, context));
    if (outcome.status === 'RECORDED' && !outcome.replayed) this.model.noteTransaction(step.actor.userId, step.proposal.idempotencyKey, outcome.transactionId);
    await this.compareAccounts(step.proposal, prediction.accounts, context);
    this.timings.compare += performance.now() - executed;
    this.count(outcome);
    if (!prediction.replayed && !(prediction.status === 'REJECTED' && prediction.codes.includes(1001))) this.workload.remember({ actor: step.actor, proposal: step.proposal });
  }

  /** The ledger's answer, or an error when it takes longer than answerTimeoutMs (a hang is a failure too). */
  private async answered<T>(work: Promise<T>): Promise<T> {
    const limit = this.options.answerTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the ledger did not answer within ${limit / 1000} s`)), limit);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * After the ledger threw: does it still answer? A connection handed back to the pool inside an
   * aborted transaction makes the next proposals fail with 25P02, which the report should say.
   */
  private async aftermath(): Promise<string> {
    const failures: string[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        await this.answered(execute(this.options.ctx, VIEWER, { kind: 'DEFINE_REFERENCE', idempotencyKey: `${this.workload.key()}-aftermath`, reference: { type: 'SECTION', id: 'ZZZ', name: 'probe' } }));
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    return failures.length === 0 ? '\n  afterwards the ledger still answered' : `\n  afterwards ${failures.length} of 3 harmless proposals failed too, e.g.: ${failures[0]}`;
  }

  /** The model's answer; a model that breaks its own assertions is reported like a disagreement. */
  private predict(actor: Actor, proposal: Proposal, label: string): Prediction {
    try {
      return this.model.apply(actor, proposal);
    } catch (error) {
      this.fail(proposal, `${label}: the model failed: ${(error as Error).message}`);
    }
  }

  private count(outcome: Outcome): void {
    if (outcome.replayed) this.replayed++;
    else if (outcome.status === 'RECORDED') this.recorded++;
    else this.rejected++;
  }

  // ---- a burst ----

  /**
   * A concurrent burst: all proposals at once. The replies are then checked by applying the proposals
   * to the model in the order of their transactions' timestamps; replays of a key (no row of their
   * own) come after. The burst is built so that the end state does not depend on that order.
   */
  private async burst(step: Extract<Step, { kind: 'burst' }>): Promise<void> {
    this.bursts++;
    const checkFeasibility = burstFeasibility(this.model, step);
    const first = this.step + 1;
    this.step += step.items.length;
    let outcomes: Outcome[];
    const started = performance.now();
    try {
      outcomes = await this.answered(Promise.all(step.items.map((i) => execute(this.options.ctx, i.actor, i.proposal))));
    } catch (error) {
      const probe = step.probe ? `\n  ${describeProbe(step.probe)}` : '';
      this.fail(step.items.map((i) => i.proposal), `${step.label} (steps ${first}-${this.step}): the ledger threw: ${(error as Error).stack ?? String(error)}${probe}`);
    }
    this.timings.ledger += performance.now() - started;
    const ids = outcomes.flatMap((o) => (o.transactionId !== null && !o.replayed ? [o.transactionId] : []));
    const times = await transactionTimes(this.options.ctx.pool, ids);
    const order = outcomes.map((o, index) => ({ o, index, at: o.transactionId !== null && !o.replayed ? times.get(o.transactionId) : undefined }));
    for (const entry of order) if (entry.o.transactionId !== null && !entry.o.replayed && entry.at === undefined) this.fail(step.items[entry.index]?.proposal, `${step.label}: transaction ${entry.o.transactionId} has no row`);
    order.sort((a, b) => (a.at ?? Number.MAX_SAFE_INTEGER) - (b.at ?? Number.MAX_SAFE_INTEGER) || a.index - b.index);
    if (checkFeasibility) this.check(step.items[0]?.proposal, checkFeasibility(outcomes));
    const touched = new Set<string>();
    for (const { o, index } of order) {
      const item = step.items[index] as Item;
      const prediction = this.predict(item.actor, item.proposal, step.label);
      const probe = step.probe ?? regressionProbeOf(this.model, item.actor, item.proposal);
      this.check(item.proposal, outcomeDifference(prediction, o, `${step.label}, proposal ${index + 1} of ${step.items.length} (steps ${first}-${this.step}, checked in timestamp order)${probe ? ` (${describeProbe(probe)})` : ''}`));
      if (o.status === 'RECORDED' && !o.replayed) this.model.noteTransaction(item.actor.userId, item.proposal.idempotencyKey, o.transactionId);
      for (const id of prediction.accounts) touched.add(id);
      this.count(o);
    }
    await this.compareAccounts(
      step.items.map((i) => i.proposal),
      [...touched],
      `${step.label} (steps ${first}-${this.step}), end state`,
    );
  }

  // ---- the database against the model ----

  private async compareAccounts(proposal: unknown, accountIds: readonly string[] | null, context: string): Promise<void> {
    const rows = await readAccounts(this.options.ctx.pool, accountIds);
    this.check(proposal, accountsDifference(this.model, accountIds, rows, context));
  }

  private async compareEverything(): Promise<void> {
    this.model.assertNoOverlap();
    await this.compareAccounts(null, null, 'full comparison of every account');
  }

  private async invariants(last: Step | null): Promise<void> {
    this.invariantChecks++;
    const started = performance.now();
    const found = await checkInvariants(this.options.ctx.pool);
    this.timings.invariants += performance.now() - started;
    if (found.length > 0) {
      const proposal = last === null ? null : last.kind === 'single' ? last.proposal : last.items.map((i) => i.proposal);
      this.fail(proposal, `invariants broken after step ${this.step}:\n${describeViolations(found)}`);
    }
  }
}

import type { Actor, Proposal, SeriesAttributes, UnitConstraints, UnitSelection } from '../../types';
import type { LedgerModel } from '../model';
import { modelMayInitiate, modelTypeRules } from '../model/permissions';
import type { ModelAccount, ModelBlock } from '../model/types';
import { Random } from '../random';
import { ALL_REGRESSION_PROBES, REGRESSION_PROBES, type RegressionProbe } from '../regression-probes';
import { size, type Draft, type Item, type Step } from '../steps';
import { accountPlan, ADMIN, APPROACHES, ESCROW, FEE_ACCOUNT, holderOf, impersonating, LIMITED_SECTION, MULTI_HOLDER, NOBODY, PROCEEDS_ACCOUNT, SECTION_ADMINS, SECTIONS, seriesCatalog, SYSTEM_ADMIN, VIEWER, type SeriesCatalog } from '../world';

/**
 * The workload: a pure function of the seed and the model's state, never of timing. One Random
 * drives it; `nextStep` (next-step.ts) draws a generator by weight and the generator draws its
 * proposal (the files beside it, one per area), using the state and helpers kept here. Concurrent bursts are built so that their end state does not
 * depend on the order the database chose (identical proposals, explicit disjoint ranges, repeated
 * keys), so a seed replays the same workload every time.
 *
 * The generators read the model (never the database) and the helpers here: who may act on an
 * account, which accounts send and receive, selections aimed at each branch of A6R-52.
 */

export interface WorkloadOptions {
  readonly seed: number;
  /** The regression probes to aim proposals at (none: proposals that would hit one are drawn again). */
  readonly probes: readonly RegressionProbe[];
  /** Multiplies how often concurrent bursts are drawn (default 1). */
  readonly burstWeight?: number;
  /** How many connections the ledger's pool has: one probe sends more external transfers at once. */
  readonly poolConnections: number;
}

export class Workload {
  readonly rng: Random;
  readonly catalog: SeriesCatalog;
  readonly plan = accountPlan();
  readonly holders = new Map<string, Actor>();
  readonly probes: ReadonlySet<RegressionProbe>;
  readonly poolConnections: number;
  /** Multiplies how often concurrent bursts are drawn. */
  readonly burstWeight: number;
  /** Proposals decided earlier, for repeated keys (the most recent few hundred). */
  private readonly history: Item[] = [];
  private keys = 0;
  /** Accounts and approaches the workload opened and defined so far (their ids count up). */
  dynamicAccounts = 0;
  dynamicApproaches = 0;

  constructor(
    readonly model: LedgerModel,
    private readonly options: WorkloadOptions,
  ) {
    this.rng = new Random(options.seed);
    this.catalog = seriesCatalog(this.rng);
    this.probes = new Set(options.probes);
    this.poolConnections = options.poolConnections;
    this.burstWeight = options.burstWeight ?? 1;
    for (const name of this.probes) if (!(name in REGRESSION_PROBES)) throw new Error(`unknown regression probe ${name}`);
    for (const spec of this.plan) if (spec.holder) this.holders.set(spec.id, holderOf(spec.id));
  }

  /** Whether every regression probe is aimed at (for the command that reproduces a run). */
  get aimsAtAllProbes(): boolean {
    return this.probes.size === ALL_REGRESSION_PROBES.length;
  }

  /** A proposal the ledger decided (not a replay, not a reused key): later steps may repeat its key. */
  remember(item: Item): void {
    this.history.push(item);
    if (this.history.length > 400) this.history.splice(0, 100);
  }

  /** The decided proposals a repeated key may be taken from. */
  earlier(): readonly Item[] {
    return this.history;
  }

  /** A fresh idempotency key, `sim-<seed>-<n>`, counted over the run. */
  key(): string {
    return `sim-${this.options.seed}-${++this.keys}`;
  }

  /** The proposals that set the world up: Parties, approaches, accounts opened and activated, rules configured. */
  setup(): Item[] {
    const items: Item[] = [];
    const add = (actor: Actor, proposal: Draft) => items.push({ actor, proposal: { ...proposal, idempotencyKey: this.key() } as Proposal });
    for (const s of SECTIONS) add(ADMIN, { kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: s, name: `Party ${s}` } });
    for (const a of APPROACHES) add(ADMIN, { kind: 'DEFINE_REFERENCE', reference: { type: 'COOPERATIVE_APPROACH', id: a, name: `Approach ${a}` } });
    for (const spec of this.plan) {
      const opener = spec.sectionId !== null && spec.type !== 'ISSUANCE' ? (SECTION_ADMINS.get(spec.sectionId) as Actor) : ADMIN;
      add(opener, { kind: 'OPEN_ACCOUNT', account: { id: spec.id, registry: spec.registry, name: `Account ${spec.id}`, type: spec.type, holderName: `Holder of ${spec.id}`, sectionId: spec.sectionId, cooperativeApproachId: spec.approach } });
    }
    for (const spec of this.plan) {
      if (!spec.activate) continue;
      const actor = spec.sectionId !== null ? (SECTION_ADMINS.get(spec.sectionId) as Actor) : ADMIN;
      add(actor, { kind: 'SET_ACCOUNT_STATUS', accountId: spec.id, status: 'ACTIVE' });
    }
    // Rules (docs/rules.md): transfers of more than 200 units touching GHA-HLD-1 wait for a second person.
    add(ADMIN, { kind: 'CONFIGURE_RULE', rule: 'four-eyes', scope: { type: 'ACCOUNT', id: 'GHA-HLD-1' }, enabled: true, settings: { threshold: '200', escrowAccountId: 'REG-ESC-1', expiresAfterHours: 720 } });
    // A 1.5 % fee on transfers touching CHE-HLD-1, a 5 % share of proceeds at issuance into SWE-ISS-1,
    // and a limit of 2,000 units per transfer touching the SWE section (suspended and lifted by the workload).
    add(ADMIN, { kind: 'CONFIGURE_RULE', rule: 'transfer-fee', scope: { type: 'ACCOUNT', id: 'CHE-HLD-1' }, enabled: true, settings: { accountId: FEE_ACCOUNT, basisPoints: 150 } });
    add(ADMIN, { kind: 'CONFIGURE_RULE', rule: 'share-of-proceeds', scope: { type: 'ACCOUNT', id: 'SWE-ISS-1' }, enabled: true, settings: { accountId: PROCEEDS_ACCOUNT, basisPoints: 500 } });
    add(ADMIN, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'SECTION', id: LIMITED_SECTION }, enabled: true, settings: { maximum: '2000' } });
    return items;
  }

  propose(label: string, actor: Actor, proposal: Draft): Step {
    return { kind: 'single', label, actor, proposal: { ...proposal, idempotencyKey: this.key() } as Proposal };
  }

  // -- choosing accounts and people --

  accountsWhere(filter: (a: ModelAccount) => boolean): ModelAccount[] {
    return this.model.accounts().filter(filter);
  }

  /** Accounts units may be sent from that hold units (never the proxy: see REGRESSION_PROBES). */
  senders(): ModelAccount[] {
    // Not the escrow account: its units wait for an answer (they leave it by the answer, tested apart).
    return this.accountsWhere((a) => modelTypeRules(a.type).sends && this.model.blockCount(a.id) > 0 && a.id !== ESCROW);
  }

  receiver(notId: string, endUseShare = 0.12): ModelAccount | null {
    const all = this.accountsWhere((a) => modelTypeRules(a.type).receives && a.id !== notId && a.status !== 'TERMINATED');
    const endUse = all.filter((a) => !modelTypeRules(a.type).sends);
    const keep = all.filter((a) => modelTypeRules(a.type).sends);
    const pool = this.rng.chance(endUseShare) && endUse.length > 0 ? endUse : keep.length > 0 ? keep : all;
    return pool.length > 0 ? this.rng.pick(pool) : null;
  }

  /** Someone entitled to initiate on the account (registry admin, its section admin, its holder, the holder impersonated). */
  initiator(account: ModelAccount): Actor {
    const candidates: Actor[] = [ADMIN];
    if (account.status !== 'RESTRICTED') {
      const sectionAdmin = account.sectionId ? SECTION_ADMINS.get(account.sectionId) : undefined;
      if (sectionAdmin) candidates.push(sectionAdmin, sectionAdmin);
      const holder = this.holders.get(account.id);
      if (holder) candidates.push(holder, holder, holder, impersonating(holder));
      if (modelMayInitiate(MULTI_HOLDER, account)) candidates.push(MULTI_HOLDER);
    }
    return this.rng.pick(candidates);
  }

  /** Someone who may not initiate on the account. */
  outsider(account: ModelAccount): Actor {
    const others: Actor[] = [VIEWER, SYSTEM_ADMIN, NOBODY, MULTI_HOLDER, ...SECTION_ADMINS.values(), ...[...this.holders.values()].slice(0, 6)];
    const candidates = others.filter((a) => !modelMayInitiate(a, account));
    return candidates.length > 0 ? this.rng.pick(candidates) : VIEWER;
  }

  // -- selections --

  explicitInside(block: ModelBlock): UnitSelection {
    const n = size(block);
    const shape = this.rng.weighted<'whole' | 'prefix' | 'suffix' | 'middle' | 'one'>([
      ['whole', 2],
      ['prefix', 2],
      ['suffix', 2],
      ['middle', 3],
      ['one', 1],
    ]);
    let first = block.firstSerial;
    let last = block.lastSerial;
    if (shape === 'prefix' && n > 1n) last = first + this.rng.big(0n, n - 2n);
    if (shape === 'suffix' && n > 1n) first = first + this.rng.big(1n, n - 1n);
    if (shape === 'middle' && n > 2n) {
      first = block.firstSerial + this.rng.big(1n, n - 2n);
      last = this.rng.big(first, block.lastSerial - 1n);
    }
    if (shape === 'one') {
      first = this.rng.big(block.firstSerial, block.lastSerial);
      last = first;
    }
    return { mode: 'explicit', seriesId: block.seriesId, firstSerial: first, lastSerial: last };
  }

  /** A quantity for an implicit selection among these blocks, aimed at each branch of A6R-52. */
  quantityFor(blocks: readonly ModelBlock[]): bigint {
    const total = blocks.reduce((s, b) => s + size(b), 0n);
    const sorted = [...blocks].sort((a, b) => (size(a) < size(b) ? -1 : size(a) > size(b) ? 1 : 0));
    const sumOf = (k: number) => sorted.slice(0, k).reduce((s, b) => s + size(b), 0n);
    const strategy = this.rng.weighted<string>([
      ['exact-block', 25],
      ['small', 20],
      ['random', 15],
      ['all', 7],
      ['sum-of-smallest', 12],
      ['too-many', 8],
      ['not-positive', 3],
      ['paging', blocks.length > 16 ? 10 : 0],
    ]);
    if (total === 0n) return this.rng.big(1n, 10n);
    switch (strategy) {
      case 'exact-block':
        return size(this.rng.pick(blocks));
      case 'small':
        return this.rng.big(1n, total < 10n ? total : 10n);
      case 'random':
        return this.rng.big(1n, total);
      case 'all':
        return total;
      case 'sum-of-smallest': {
        const q = sumOf(this.rng.between(2, 4)) + BigInt(this.rng.between(-1, 1));
        return q > 0n ? q : 1n;
      }
      case 'too-many':
        return total + this.rng.big(1n, 50n);
      case 'not-positive':
        return BigInt(-this.rng.between(0, 5));
      default: {
        // Needs more blocks than the ledger reads in its first page (16), or than one later page (256).
        const k = this.rng.between(17, Math.min(blocks.length, this.rng.chance(0.3) ? 400 : 60));
        return sumOf(k) - 1n > 0n ? sumOf(k) - 1n : 1n;
      }
    }
  }

  constraintsFor(accountId: string): UnitConstraints {
    const blocks = this.model.blocksOf(accountId);
    if (blocks.length === 0 || this.rng.chance(0.08)) return this.rng.pick<UnitConstraints>([{ vintage: 2099 }, { hostParty: 'ZZZ' }, { unitType: 'NONE' }, { seriesId: 'S-unknown' }]);
    const series = this.model.series(this.rng.pick(blocks).seriesId);
    if (!series) throw new Error('simulate: block of an unknown series');
    const options: UnitConstraints[] = [
      { vintage: series.vintage },
      { unitType: series.unitType },
      { hostParty: series.hostParty },
      { activityId: series.activityId },
      { seriesId: series.id },
      { unitType: series.unitType, vintage: series.vintage },
      { hostParty: series.hostParty, vintage: series.vintage },
    ];
    if (series.cooperativeApproachId !== null) options.push({ cooperativeApproachId: series.cooperativeApproachId });
    return this.rng.pick(options);
  }

  // -- series, quantities, arrivals --

  issuanceAccount(): ModelAccount | null {
    const accounts = this.accountsWhere((a) => a.type === 'ISSUANCE' || a.type === 'PENDING');
    return accounts.length > 0 ? this.rng.pick(accounts) : null;
  }

  seriesFor(account: ModelAccount): SeriesAttributes {
    if (account.type === 'PENDING' || account.sectionId === null) return this.rng.pick(this.catalog.mechanism);
    return this.rng.pick(this.catalog.domestic.get(account.sectionId) ?? this.catalog.mechanism);
  }

  issuanceQuantity(): bigint {
    return this.rng.weighted<() => bigint>([
      [() => this.rng.big(1n, 20n), 2],
      [() => this.rng.big(20n, 1000n), 6],
      [() => this.rng.big(1000n, 100_000n), 2],
    ])();
  }

  arrivalProposal(to: string, series: SeriesAttributes, firstSerial: bigint, lastSerial: bigint): Draft {
    return { kind: 'EXTERNAL_ARRIVAL', toAccountId: to, origin: { registryId: series.originatingRegistry, accountId: `EXT-${this.rng.int(100)}`, messageId: `msg-${this.keys + 1}` }, series, firstSerial, lastSerial };
  }
}

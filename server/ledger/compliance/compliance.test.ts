import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { createLedgerContext } from '../context';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from '../types';
import { execute } from '../write-path';
import { COMPLIANCE_RULES } from './catalog';
import published from './published.json';
import { complianceAfterEachTransaction, runCompliance, type ComplianceReport } from './run-compliance';

/** Compliance rules (A6R-19): configured as logged changes, run on demand and after each transaction. */

let test: TestDatabase;
let ctx: LedgerContext;
let n = 0;
const DAY = 86_400_000;
let clock = Date.parse('2026-11-22T08:00:00.000Z');
const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const series: SeriesAttributes = { unitType: 'A6.4ER', cooperativeApproachId: null, originatingRegistry: 'MR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-7', vintage: 2025, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
const run = (proposal: Unkeyed<Proposal>, on: LedgerContext = ctx): Promise<Outcome> => execute(on, admin, { ...proposal, idempotencyKey: `c-${n++}` } as Proposal);
async function recorded(proposal: Unkeyed<Proposal>, on: LedgerContext = ctx): Promise<string> {
  const outcome = await run(proposal, on);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED, got ${JSON.stringify(outcome.refusals)}`);
  return outcome.transactionId;
}
const codes = (outcome: Outcome) => (outcome.status === 'REJECTED' ? outcome.refusals.map((r) => r.code) : []);
const found = (report: ComplianceReport) => report.results.flatMap((r) => r.findings.map((f) => `${r.rule}@${r.version} ${f.accountId} ${String(f.data.firstSerial)}-${String(f.data.lastSerial)}`));

beforeAll(async () => {
  test = await createTestDatabase('ledger_compliance');
  ctx = test.ledger({ now: () => new Date(clock++) });
  await recorded({ kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } });
  for (const [id, type, sectionId] of [['MR-PENDING', 'PENDING', null], ['GHA-200', 'HOLDING', 'GHA'], ['GHA-USE', 'USE', 'GHA']] as const) {
    await recorded({ kind: 'OPEN_ACCOUNT', account: { id, registry: 'MECHANISM', name: id, type, holderName: 'H', sectionId, cooperativeApproachId: null } });
    await recorded({ kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  }
});

afterAll(async () => {
  await test?.drop();
});

describe('compliance rules (A6R-19)', () => {
  it('are published once: every version file keeps its digest', () => {
    const here = path.dirname(new URL(import.meta.url).pathname);
    const files = readdirSync(here, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => readdirSync(path.join(here, d.name)).map((f) => `${d.name}/${f}`)).filter((f) => /\/v[0-9]+\.ts$/.test(f)).sort();
    expect(files).toEqual(COMPLIANCE_RULES.map((r) => `${r.name}/v${r.version}.ts`).sort());
    for (const file of files) expect([file, createHash('sha256').update(readFileSync(path.join(here, file))).digest('hex')]).toEqual([file, (published as Record<string, string>)[file]]);
  });

  it('are configured for the whole registry only, with valid settings', async () => {
    expect(codes(await run({ kind: 'CONFIGURE_RULE', rule: 'pending-balance-age', scope: { type: 'SECTION', id: 'GHA' }, enabled: true, settings: { maxDays: 10 } }))).toEqual([2016]);
    expect(codes(await run({ kind: 'CONFIGURE_RULE', rule: 'pending-balance-age', scope: { type: 'REGISTRY' }, enabled: true, settings: { maxDays: 0 } }))).toEqual([2015]);
    await recorded({ kind: 'CONFIGURE_RULE', rule: 'pending-balance-age', scope: { type: 'REGISTRY' }, enabled: true, settings: { maxDays: 10 } });
    await recorded({ kind: 'CONFIGURE_RULE', rule: 'unauthorized-units-in-use', scope: { type: 'REGISTRY' }, enabled: true, settings: {} });
  });

  it('report units lingering in the pending account beyond the configured days, and no more once moved on', async () => {
    const issuedAt = clock;
    await recorded({ kind: 'ISSUANCE', accountId: 'MR-PENDING', series, quantity: 100n });
    expect(found(await runCompliance(ctx.pool, { at: new Date(issuedAt + 9 * DAY) }))).toEqual([]);
    const late = await runCompliance(ctx.pool, { at: new Date(issuedAt + 11 * DAY) });
    expect(found(late)).toEqual(['pending-balance-age@1 MR-PENDING 1-100']);
    clock = issuedAt + 11 * DAY;
    await recorded({ kind: 'TRANSFER', fromAccountId: 'MR-PENDING', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 100n, constraints: {} } });
    expect(found(await runCompliance(ctx.pool, { at: new Date(clock + DAY) }))).toEqual([]);
    // As of the earlier moment, the report is the same as it was: it judges the state as of then.
    expect(found(await runCompliance(ctx.pool, { at: new Date(issuedAt + 11 * DAY - 1) }))).toEqual(['pending-balance-age@1 MR-PENDING 1-100']);
  });

  it('run after each transaction on what it touched, and report unauthorized units in a use account', async () => {
    const reports: ComplianceReport[] = [];
    const base = createLedgerContext({ db: test.db, databaseUrl: test.url, signer: ctx.signer, now: () => new Date(clock++) });
    const watched: LedgerContext = { ...base, notify: complianceAfterEachTransaction(ctx.pool, (r) => reports.push(r)) };
    try {
      const retired = await recorded({ kind: 'TRANSFER', fromAccountId: 'GHA-200', toAccountId: 'GHA-USE', selection: { mode: 'implicit', quantity: 10n, constraints: {} } }, watched);
      expect(reports.map((r) => [r.transactionId, found(r)])).toEqual([[retired, ['unauthorized-units-in-use@1 GHA-USE 1-10']]]);
      await recorded({ kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-200', status: 'SUSPENDED' }, watched);
      expect(reports).toHaveLength(1);
    } finally {
      await base.close();
    }
    expect(found(await runCompliance(ctx.pool, { at: new Date(clock + 1) }))).toEqual(['unauthorized-units-in-use@1 GHA-USE 1-10']);
  });

  it('stop when switched off', async () => {
    await recorded({ kind: 'CONFIGURE_RULE', rule: 'unauthorized-units-in-use', scope: { type: 'REGISTRY' }, enabled: false, settings: {} });
    expect((await runCompliance(ctx.pool, { at: new Date(clock + 1) })).results.map((r) => r.rule)).toEqual(['pending-balance-age']);
  });
});

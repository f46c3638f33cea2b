import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../server/testing/test-database';
import { accountBlocks } from '../../server/ledger/queries';
import { WHOLE_REGISTRY } from '../../server/ledger/authority';
import type { Actor, LedgerContext } from '../../server/ledger/types';
import { versionInForce } from '../../server/ledger/rules/catalog';
import { execute } from '../../server/ledger/write-path';
import { testClockStart } from '../../server/testing/test-clock';
import { runRulesPhase } from './rules-phase';

/** The benchmark's rules phase works, briefly: every transfer judged by the default rules, fees paid. */

let test: TestDatabase;
/** The registry's clock: every reading a millisecond later than the last. */
let clock = testClockStart('2026-11-22T08:00:00.000Z');
let ctx: LedgerContext;
const admin: Actor = { userId: 'bench', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };

beforeAll(async () => {
  test = await createTestDatabase('bench_rules');
  ctx = test.ledger({ now: () => new Date(clock++) });
  for (const [id, type] of [['ISS', 'ISSUANCE'], ['H0', 'HOLDING'], ['H1', 'HOLDING']] as const) {
    await execute(ctx, admin, { kind: 'OPEN_ACCOUNT', idempotencyKey: `open-${id}`, account: { id: `B-${id}`, registry: 'INTERNATIONAL', name: id, type, holderName: 'Bench', sectionId: null, cooperativeApproachId: null } });
    await execute(ctx, admin, { kind: 'SET_ACCOUNT_STATUS', idempotencyKey: `act-${id}`, accountId: `B-${id}`, status: 'ACTIVE' });
  }
  const series = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'B-1', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
  await execute(ctx, admin, { kind: 'ISSUANCE', idempotencyKey: 'issue', accountId: 'B-ISS', series, quantity: 1_000_000n });
  await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: 'fund', fromAccountId: 'B-ISS', toAccountId: 'B-H0', selection: { mode: 'implicit', quantity: 1_000_000n, constraints: {} } });
});

afterAll(async () => {
  await test?.drop();
});

describe('bench rules phase', () => {
  it('runs transfers under the default rule set, each paying its fee, judged by the versions in force at the clock', async () => {
    const at = new Date(clock).toISOString();
    const result = await runRulesPhase({ ctx, admin, pairs: [['B-H0', 'B-H1']], seconds: 0.3 });
    expect(result.transfers).toBeGreaterThan(0);
    const held = async (id: string) => (await accountBlocks(test.db, WHOLE_REGISTRY, id)).reduce((sum, b) => sum + (b.lastSerial - b.firstSerial + 1n), 0n);
    const moved = (await held('B-H1')) + (await held('BENCH-FEE'));
    expect(moved).toBe(1_000_000n - (await held('B-H0')));
    const transactions = await test.db.ledgerTransaction.findMany({ where: { idempotencyKey: { startsWith: 'rules-0-' } } });
    expect(transactions.length).toBe(result.transfers);
    const inForce = { 'transfer-limit': versionInForce('transfer-limit', at)?.version, 'transfer-fee': versionInForce('transfer-fee', at)?.version };
    expect(inForce['transfer-fee']).toBeDefined();
    for (const t of transactions) expect(JSON.parse(t.ruleVersions)).toMatchObject(inForce);
  });
});

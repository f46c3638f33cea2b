/**
 * One measurement of the ledger's transfer rate, for `npm run bench:ledger -- --baseline <commit>`
 * (scripts/bench/baseline.ts), which runs this file in the current tree and in a checkout of the
 * older commit, alternately. It uses only what both have (`execute`, `createTestDatabase`), in a
 * scratch database of its own: CLIENTS concurrent clients make implicit transfers for the given
 * seconds, each from its own account, after a warm-up. Prints one line: `transfer-rate: <n> <seconds>`.
 *
 *   tsx scripts/bench/transfer-rate.ts <seconds>
 */
import { createTestDatabase, TEST_SERVER_URL } from '../../server/testing/test-database';
import { execute } from '../../server/ledger/write-path';
import type { Actor, LedgerContext, Proposal } from '../../server/ledger/types';

const CLIENTS = 8;
const admin: Actor = { userId: 'bench', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };

async function must(ctx: LedgerContext, proposal: Proposal): Promise<void> {
  const outcome = await execute(ctx, admin, proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`transfer-rate setup refused: ${JSON.stringify(outcome.refusals)}`);
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? '5');
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) throw new Error('seconds: a number from 1 to 600');
  const database = await createTestDatabase('bench_rate', process.env.DATABASE_URL ?? TEST_SERVER_URL);
  const ctx = database.ledger({ poolSize: CLIENTS + 2 });
  try {
    const accounts = [...Array.from({ length: CLIENTS }, (_, i) => `RATE-${i}`), 'RATE-SINK', 'RATE-ISS'];
    for (const id of accounts) {
      await must(ctx, { kind: 'OPEN_ACCOUNT', idempotencyKey: `open-${id}`, account: { id, registry: 'INTERNATIONAL', name: id, type: id === 'RATE-ISS' ? 'ISSUANCE' : 'HOLDING', holderName: 'Bench', sectionId: null, cooperativeApproachId: null } } as Proposal);
      await must(ctx, { kind: 'SET_ACCOUNT_STATUS', idempotencyKey: `activate-${id}`, accountId: id, status: 'ACTIVE' } as Proposal);
    }
    const series = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'RATE-1', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
    await must(ctx, { kind: 'ISSUANCE', idempotencyKey: 'issue', accountId: 'RATE-ISS', series, quantity: 100_000_000n } as Proposal);
    for (let i = 0; i < CLIENTS; i++) {
      await must(ctx, { kind: 'TRANSFER', idempotencyKey: `fund-${i}`, fromAccountId: 'RATE-ISS', toAccountId: `RATE-${i}`, selection: { mode: 'implicit', quantity: 10_000_000n, constraints: {} } } as Proposal);
    }
    let key = 0;
    const run = async (ms: number): Promise<number> => {
      let done = 0;
      const until = performance.now() + ms;
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          while (performance.now() < until) {
            await must(ctx, { kind: 'TRANSFER', idempotencyKey: `t-${key++}`, fromAccountId: `RATE-${client}`, toAccountId: 'RATE-SINK', selection: { mode: 'implicit', quantity: 1n, constraints: {} } } as Proposal);
            done++;
          }
        }),
      );
      return done;
    };
    await run(1_500);
    const started = performance.now();
    const done = await run(seconds * 1000);
    console.log(`transfer-rate: ${done} ${((performance.now() - started) / 1000).toFixed(3)}`);
  } finally {
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`transfer-rate: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);

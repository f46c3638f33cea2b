/**
 * `npm run ledger:expire-reservations`: sends back the units of every transfer whose four-eyes
 * reservation has expired without an answer (docs/rules.md). The running registry does this itself
 * (the job `reservation-expiry` on RESERVATION_EXPIRY_SCHEDULE); this command is for a registry that switched that off, or
 * for an operator who wants it done now. It is idempotent. Needs DATABASE_URL and LEDGER_SIGNING_KEY.
 * Acts as the registry itself (a registry administrator's grant), which the log records as the
 * initiator "registry-scheduler".
 */
import { envFor } from '../server/env';
import { createDb } from '../server/db/client';
import { createLedgerContext } from '../server/ledger/context';
import { expireReservations } from '../server/ledger/reservations/expire-reservations';
import { SCHEDULER_ACTOR } from '../server/ledger/reservations/expiry-scheduler';
import { ed25519Signer } from '../server/ledger/signer';

async function main(): Promise<void> {
  let url: string;
  let key: string;
  try {
    ({ DATABASE_URL: url, LEDGER_SIGNING_KEY: key } = envFor(['DATABASE_URL', 'LEDGER_SIGNING_KEY']));
  } catch (error) {
    console.error(`ledger:expire-reservations: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  const db = createDb(url, 2);
  const ctx = createLedgerContext({ db, databaseUrl: url, signer: ed25519Signer(key), poolSize: 2 });
  try {
    const done = await expireReservations(ctx, SCHEDULER_ACTOR);
    for (const { transactionId, outcome } of done) console.log(`${transactionId}: ${outcome.status === 'RECORDED' ? 'units sent back' : `not expired: ${outcome.refusals.map((r) => `${r.code} ${r.message}`).join('; ')}`}`);
    console.log(`ledger:expire-reservations: ${done.filter((d) => d.outcome.status === 'RECORDED').length} expired`);
  } finally {
    await ctx.close();
    await db.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(`ledger:expire-reservations failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

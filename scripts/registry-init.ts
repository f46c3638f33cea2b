/**
 * `npm run registry:init -- --email <email> --name "<real name>"`: sets up a new registry without SQL.
 * On a migrated database with no user it opens the registry's own accounts, creates the first system administrator, prints their
 * enrollment link and mails it (SMTP_URL, or the capture directory MAIL_CAPTURE_DIR). On a database
 * that has users it refuses, exits with 1 and changes nothing. Needs DATABASE_URL, LEDGER_SIGNING_KEY
 * and NEXTAUTH_URL (where the link points). See docs/security.md, "The first administrators".
 */
import { envFor } from '../server/env';
import { createDb } from '../server/db/client';
import { createLedgerContext } from '../server/ledger/context';
import { ed25519Signer } from '../server/ledger/signer';
import { createMailer } from '../server/mail/mailer';
import { initialiseRegistry, parseRegistryInitArgs, REGISTRY_ACCOUNTS } from '../server/access/registry-init';

async function main(): Promise<number> {
  const args = parseRegistryInitArgs(process.argv.slice(2));
  if (!args.ok) {
    console.error(`registry:init: ${args.message}`);
    return 1;
  }
  let e;
  try {
    e = envFor(['DATABASE_URL', 'LEDGER_SIGNING_KEY', 'NEXTAUTH_URL', 'SMTP_URL', 'MAIL_FROM', 'MAIL_CAPTURE_DIR']);
  } catch (error) {
    console.error(`registry:init: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const db = createDb(e.DATABASE_URL, 2);
  const ctx = createLedgerContext({ db, databaseUrl: e.DATABASE_URL, signer: ed25519Signer(e.LEDGER_SIGNING_KEY), poolSize: 1 });
  try {
    const mailer = createMailer({ smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, captureDir: e.MAIL_CAPTURE_DIR });
    const done = await initialiseRegistry(ctx, args.input, { mailer, baseUrl: e.NEXTAUTH_URL });
    if (!done.ok) {
      console.error(`registry:init: ${done.message}`);
      return 1;
    }
    console.log(`registry:init: opened the registry's own accounts ${REGISTRY_ACCOUNTS.map((a) => a.id).join(', ')}.`);
    console.log(`registry:init: created the system administrator ${args.input.email} (user ${done.userId}).`);
    console.log(`Their enrollment link (mailed to them too; it works once and expires at ${done.expiresAt.toISOString()}):`);
    console.log(done.link);
    return 0;
  } finally {
    await ctx.close();
    await db.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`registry:init failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

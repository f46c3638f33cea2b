/**
 * `npm run sessions:revoke -- <email>`: ends every session of a user at once (A6R-5). The user's next
 * request, in any browser, finds the session revoked and is sent to the sign-in page.
 */
import { envFor } from '../server/env';
import { createDb } from '../server/db/client';
import { revokeAllSessions } from '../server/auth/session-store';

async function main(): Promise<number> {
  const email = process.argv[2]?.trim().toLowerCase();
  if (!email) {
    console.error('Usage: npm run sessions:revoke -- <email>');
    return 2;
  }
  let databaseUrl: string;
  try {
    databaseUrl = envFor(['DATABASE_URL']).DATABASE_URL;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const db = createDb(databaseUrl, 1);
  try {
    const user = await db.user.findUnique({ where: { email }, select: { id: true } });
    if (!user) {
      console.error(`There is no user with the email ${email}.`);
      return 1;
    }
    const count = await revokeAllSessions(db, user.id, new Date());
    console.log(`Revoked ${count} session(s) of ${email}.`);
    return 0;
  } finally {
    await db.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Could not revoke the sessions: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

/**
 * `npm run db:functions -- <command>`: the database functions as source files (docs/database.md).
 *
 *   check               compare the database's functions with prisma/functions/ (exit 1 when they differ)
 *   migration <name>    write prisma/migrations/<timestamp>_<name>/migration.sql with the statements of
 *                       every function whose file differs from the database (apply it with db:migrate)
 *   print <function>    write prisma/functions/<function>.sql as the database prints the function
 *
 * The database is DATABASE_URL, migrated to the latest migration (for `migration`, a scratch database
 * on a real PostgreSQL server, as for db:migrate:create). Nothing here changes the database.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { envFor } from '../../server/env';
import { compareWithDatabase, FUNCTIONS_DIR, migrationFromFiles, printedFromDatabase, PROJECT_ROOT } from '../../server/db/functions';

const USAGE = 'Usage: npm run db:functions -- check | migration <name> | print <function>';

function timestamp(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
}

async function main(argv: string[]): Promise<number> {
  const [command, argument, ...rest] = argv;
  if (command === undefined || command === 'help' || rest.length > 0) {
    console.log(USAGE);
    return command === 'help' ? 0 : 2;
  }
  const NAME = /^[a-z][a-z0-9_]{0,80}$/;
  if ((command === 'migration' || command === 'print') && (argument === undefined || !NAME.test(argument))) {
    console.error(`${command} needs a name of lower-case letters, digits and underscores (at most 81), e.g. ${command === 'print' ? 'registry_lock' : 'faster_locks'}.`);
    return 2;
  }
  if (command !== 'check' && command !== 'migration' && command !== 'print') {
    console.error(`Unknown command "${command}". ${USAGE}`);
    return 2;
  }
  const { DATABASE_URL } = envFor(['DATABASE_URL']);
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    if (command === 'print') {
      const text = await printedFromDatabase(client, argument as string);
      if (text === '') {
        console.error(`The database has no function ${argument}.`);
        return 1;
      }
      writeFileSync(path.join(FUNCTIONS_DIR, `${argument}.sql`), text);
      console.log(`Wrote prisma/functions/${argument}.sql`);
      return 0;
    }
    const { changed, missing, withoutFile } = await compareWithDatabase(client);
    for (const name of withoutFile) console.log(`${name}: in the database, but prisma/functions/${name}.sql does not exist (npm run db:functions -- print ${name})`);
    const toMigrate = [...changed, ...missing];
    if (command === 'check') {
      for (const name of changed) console.log(`${name}: the database runs something other than prisma/functions/${name}.sql`);
      for (const name of missing) console.log(`${name}: prisma/functions/${name}.sql is not in the database`);
      if (toMigrate.length === 0 && withoutFile.length === 0) console.log('The database runs exactly what prisma/functions/ says.');
      return toMigrate.length === 0 && withoutFile.length === 0 ? 0 : 1;
    }
    if (toMigrate.length === 0) {
      console.log('Every function file agrees with the database: no migration written.');
      return 0;
    }
    const dir = path.join(PROJECT_ROOT, 'prisma', 'migrations', `${timestamp(new Date())}_${argument}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'migration.sql'), migrationFromFiles(toMigrate));
    console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql for ${toMigrate.join(', ')}. Review it, then apply it with npm run db:migrate.`);
    return 0;
  } finally {
    await client.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`db:functions: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

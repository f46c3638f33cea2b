import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { compareWithDatabase, functionSources, functionStatements, migrationFromFiles } from './functions';

/**
 * The database functions as source files (prisma/functions/, docs/database.md): a database migrated
 * to the latest migration runs exactly what the files say, and a difference of one character is seen.
 */

let test: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  test = await createTestDatabase('db_functions');
  client = new pg.Client({ connectionString: test.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await test?.drop();
});

describe('the database functions as source files', () => {
  it('are what a migrated database runs: every function has its file, and every file equals the deployed function', async () => {
    expect([...functionSources().keys()]).toEqual(expect.arrayContaining(['registry_lock', 'registry_record', 'registry_recorded', 'registry_claim_chain']));
    expect(await compareWithDatabase(client)).toEqual({ changed: [], missing: [], withoutFile: [] });
  });

  it('see a file one character away from the database, and write the migration that brings the database to it', async () => {
    const sources = new Map(functionSources());
    const [first, ...others] = sources.get('registry_rules_unchanged') as string[];
    const edited = (first as string).replace("RAISE EXCEPTION '", "RAISE EXCEPTION ' ");
    expect(edited).not.toBe(first);
    sources.set('registry_rules_unchanged', [edited, ...others]);
    expect(await compareWithDatabase(client, sources)).toEqual({ changed: ['registry_rules_unchanged'], missing: [], withoutFile: [] });
    const migration = migrationFromFiles(['registry_rules_unchanged'], sources);
    expect(functionStatements(migration).map((s) => s.text)).toEqual([edited, ...others]);
    // Applied, the migration makes the database what the edited file says; the true file then differs.
    await client.query(migration);
    try {
      expect(await compareWithDatabase(client, sources)).toEqual({ changed: [], missing: [], withoutFile: [] });
      expect((await compareWithDatabase(client)).changed).toEqual(['registry_rules_unchanged']);
    } finally {
      for (const statement of functionSources().get('registry_rules_unchanged') ?? []) await client.query(statement);
    }
    expect((await compareWithDatabase(client)).changed).toEqual([]);
  });

  it('see a function the database has and no file names', async () => {
    const sources = new Map(functionSources());
    sources.delete('registry_next_blocks');
    expect((await compareWithDatabase(client, sources)).withoutFile).toEqual(['registry_next_blocks']);
  });
});

// Property tests of the one quoting helper, against a real PostgreSQL server: for arbitrary strings
// (any code point, and strings made of the characters that end or escape SQL text), PostgreSQL reads
// back exactly the string quoted, in one statement, whatever standard_conforming_strings says. A value
// that escaped its quotes would change what is read, add a statement or fail to parse.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SERVER_URL } from '../testing/test-database';
import { MAX_IDENTIFIER_BYTES, quoteIdentifier, quoteLiteral } from './sql-quote';

/** Characters and sequences that end, escape or comment out SQL text, and ordinary ones between them. */
const hostile = fc.constantFrom("'", "''", '"', '\\', "\\'", ';', '$', '$$', '$q$', '--', '/*', '*/', 'E', 'U&', '\n', '\r', '\t', ' ', 'a', '0', 'é', '😀', '\u2028', '\u001b');
const strings = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: hostile, maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 })).filter((s) => !s.includes('\u0000'));

/** One client per setting of standard_conforming_strings: an escape must not depend on it. */
const clients: { setting: string; client: pg.Client }[] = [];

beforeAll(async () => {
  for (const setting of ['on', 'off']) {
    const client = new pg.Client({ connectionString: TEST_SERVER_URL });
    await client.connect();
    // With it off, PostgreSQL warns about every backslash in a literal; the warnings are expected.
    await client.query(`SET standard_conforming_strings = ${setting}; SET escape_string_warning = off`);
    clients.push({ setting, client });
  }
});

afterAll(async () => {
  await Promise.all(clients.map(({ client }) => client.end()));
});

/** Runs SQL text as a simple query, where several statements would come back as several results. */
async function simple(client: pg.Client, text: string): Promise<pg.QueryResult> {
  const result = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
  if (Array.isArray(result)) throw new Error(`one statement became ${result.length}: ${text}`);
  return result;
}

describe('quoteLiteral', () => {
  it('reads back as exactly the string, in one statement, with either setting of standard_conforming_strings', async () => {
    for (const { setting, client } of clients) {
      await fc.assert(
        fc.asyncProperty(strings, async (value) => {
          const result = await simple(client, `SELECT ${quoteLiteral(value)}::text AS value, 'after' AS sentinel`);
          expect(result.rows, `standard_conforming_strings = ${setting}`).toEqual([{ value, sentinel: 'after' }]);
        }),
        { numRuns: 400 },
      );
    }
  });

  it('writes an escape string only when there is a backslash, and refuses what PostgreSQL cannot hold', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(() => quoteLiteral('a\u0000b')).toThrow(/NUL/);
    expect(() => quoteLiteral('a\uD800b')).toThrow(/lone surrogate/);
    // A pair is one code point, and well formed.
    expect(quoteLiteral('\uD83D\uDE00')).toBe("'😀'");
  });
});

describe('quoteIdentifier', () => {
  const names = strings.filter((s) => s !== '' && Buffer.byteLength(s, 'utf8') <= MAX_IDENTIFIER_BYTES);

  it('names exactly the string, in one statement', async () => {
    const { client } = clients[0] as { client: pg.Client };
    await fc.assert(
      fc.asyncProperty(names, async (name) => {
        const result = await simple(client, `SELECT 1 AS ${quoteIdentifier(name)}, 2 AS sentinel`);
        expect(result.fields.map((f) => f.name)).toEqual([name, 'sentinel']);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a name PostgreSQL would truncate or could not hold', () => {
    expect(quoteIdentifier('say "hi"')).toBe('"say ""hi"""');
    expect(quoteIdentifier('é'.repeat(31))).toBe(`"${'é'.repeat(31)}"`);
    expect(() => quoteIdentifier('é'.repeat(32))).toThrow(/longer than the 63 bytes/);
    expect(() => quoteIdentifier('')).toThrow(/not empty/);
    expect(() => quoteIdentifier('a\u0000')).toThrow(/NUL/);
  });
});

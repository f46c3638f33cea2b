/**
 * The one way a value is written into SQL text. Everywhere it can, the registry sends values as bound
 * parameters, which PostgreSQL never reads as SQL (server/ledger/sql.ts: every Step's values). A few
 * statements take no parameters: the names in DDL (CREATE DATABASE, DROP DATABASE, ALTER TABLE … DROP
 * CONSTRAINT) and the arguments of utility statements such as EXPLAIN EXECUTE. Those, and only those,
 * quote their values here. Anything else found building SQL from a value is a defect.
 *
 * Both functions refuse what PostgreSQL could not hold unchanged, rather than let it be altered:
 * a NUL character (text cannot contain one) and a string that is not well-formed UTF-16 (a lone
 * surrogate, which no encoding to UTF-8 keeps). sql-quote.test.ts checks, for arbitrary strings, that
 * PostgreSQL reads back exactly the string quoted and that nothing in it ends the quoted text early.
 */

/** PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN - 1) and drops the rest without a word. */
export const MAX_IDENTIFIER_BYTES = 63;

function assertRepresentable(kind: string, value: string): void {
  if (value.includes('\u0000')) throw new Error(`${kind}: PostgreSQL cannot hold a NUL character`);
  // In a Unicode regular expression a surrogate range matches only surrogates without their pair.
  if (/[\uD800-\uDFFF]/u.test(value)) throw new Error(`${kind}: not well-formed UTF-16 (a lone surrogate)`);
}

/**
 * A name as a quoted identifier: `"` + the name with every `"` doubled + `"`. Inside a quoted
 * identifier only `"` is special, so nothing else needs escaping. A name longer than PostgreSQL keeps
 * is refused: truncated, it would name another object (a DROP DATABASE of the wrong database).
 */
export function quoteIdentifier(name: string): string {
  assertRepresentable('quoteIdentifier', name);
  if (name === '') throw new Error('quoteIdentifier: a name is not empty');
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) throw new Error(`quoteIdentifier: "${name.slice(0, 20)}…" is longer than the ${MAX_IDENTIFIER_BYTES} bytes PostgreSQL keeps of a name`);
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A string as a literal of SQL text, read the same whatever the server's standard_conforming_strings:
 * every `'` doubled; if the string holds a backslash, every backslash doubled too and the literal
 * written as an escape string (E'…'), where a doubled backslash is one backslash. (The leading space
 * keeps `E'` from joining a preceding word, as node-postgres's escapeLiteral does.)
 */
export function quoteLiteral(value: string): string {
  assertRepresentable('quoteLiteral', value);
  const quoted = `'${value.replace(/'/g, "''")}'`;
  return value.includes('\\') ? ` E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

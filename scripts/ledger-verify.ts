/**
 * Verifies the ledger (A6R-21, A6R-48): the log's chains, hashes and signatures; the transaction rows
 * against their log entries; and the live blocks, accounts, series, sections and approaches against a
 * replay of the whole log. Reports the first disagreement.
 *
 *   npm run ledger:verify
 *
 * DATABASE_URL names the registry database. The registry's public key is LEDGER_PUBLIC_KEY (Ed25519,
 * SPKI PEM) or else is derived from LEDGER_SIGNING_KEY (the PKCS#8 PEM private key the registry signs
 * with); a PEM given on one line with literal "\n" is accepted. On success it prints
 *
 *   verify: ok entries=<n> chains=<n> transactions=<n> blocks=<n>
 *   (with --since / --write-heads, a line each about the kept heads)
 *
 * Exit status: 0 the ledger verifies, 1 a disagreement was found or something failed, 2 wrong usage.
 */
import { createPublicKey } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { ed25519Signer } from '../server/ledger/signer';
import { createLedgerPool } from '../server/ledger/sql';
import { readFileSync, writeFileSync } from 'node:fs';
import { describeDisagreement, verifyLedger, type ChainHead } from '../server/ledger/verify';
import { checkConnection, DatabaseToolError, explainConnectionError, parseDatabaseUrl, type ConnectionSettings } from '../server/db/schema-engine';

const USAGE = `Usage: npm run ledger:verify [-- [--since <heads.json>] [--write-heads <heads.json>]]

DATABASE_URL names the registry database. The public key is LEDGER_PUBLIC_KEY (Ed25519 public key,
PEM) or is derived from LEDGER_SIGNING_KEY (the registry's Ed25519 private key, PKCS#8 PEM).

--write-heads  after a clean verification, writes the chains' heads to the file: keep it outside the
               database (a supervisor, a published notice)
--since        also proves that every head in the file is still in the log, unchanged: the log only
               grew since that verification`;

class UsageError extends Error {}

/** PEM text from the environment, where newlines are often written as "\n". */
const pemFrom = (value: string): string => value.replace(/\\n/g, '\n').trim();

/** The registry's public key, in PEM, from LEDGER_PUBLIC_KEY or LEDGER_SIGNING_KEY. */
export function publicKeyFromEnvironment(env: NodeJS.ProcessEnv): string {
  const publicKey = env.LEDGER_PUBLIC_KEY?.trim();
  if (publicKey) {
    let key;
    try {
      key = createPublicKey(pemFrom(publicKey));
    } catch {
      throw new UsageError('LEDGER_PUBLIC_KEY is not a public key in PEM form (-----BEGIN PUBLIC KEY-----)');
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new UsageError(`LEDGER_PUBLIC_KEY is an ${key.asymmetricKeyType ?? 'unknown'} key; the registry signs with Ed25519`);
    return key.export({ type: 'spki', format: 'pem' }).toString();
  }
  const signingKey = env.LEDGER_SIGNING_KEY?.trim();
  if (signingKey) {
    try {
      return ed25519Signer(pemFrom(signingKey)).publicKeyPem;
    } catch {
      throw new UsageError('LEDGER_SIGNING_KEY is not an Ed25519 private key in PKCS#8 PEM form');
    }
  }
  throw new UsageError("set LEDGER_PUBLIC_KEY (the registry's Ed25519 public key, PEM) or LEDGER_SIGNING_KEY to verify the log's signatures");
}

async function main(): Promise<number> {
  let settings: ConnectionSettings | null = null;
  try {
    const args = process.argv.slice(2);
    if (args.includes('--help') || args.includes('-h')) {
      console.log(USAGE);
      return 0;
    }
    const options = parseArguments(args);
    const since = options.since === undefined ? undefined : readHeads(options.since);
    settings = parseDatabaseUrl(process.env.DATABASE_URL);
    const publicKeyPem = publicKeyFromEnvironment(process.env);
    await checkConnection(settings);
    const pool = createLedgerPool((process.env.DATABASE_URL ?? '').trim(), 1);
    try {
      const report = await verifyLedger(pool, publicKeyPem, { since });
      const seconds = (report.elapsedMs / 1000).toFixed(1);
      if (report.disagreement) {
        console.log(`verify: read ${report.entries} log entries in ${seconds} s`);
        console.log(`verify: FAILED ${describeDisagreement(report.disagreement)}`);
        return 1;
      }
      console.log(`verify: ok entries=${report.entries} chains=${report.chains} transactions=${report.transactions} blocks=${report.blocks}`);
      if (since) console.log(`verify: every head kept in ${options.since} is still in the log`);
      if (options.writeHeads) {
        writeFileSync(options.writeHeads, `${JSON.stringify(report.heads.map((h) => ({ chain: h.chain, seq: h.seq.toString(), hash: h.hash })), null, 1)}\n`);
        console.log(`verify: heads written to ${options.writeHeads}`);
      }
      return 0;
    } finally {
      await pool.end();
    }
  } catch (error) {
    console.error(`verify: ${explain(error, settings)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

function parseArguments(args: readonly string[]): { since?: string; writeHeads?: string } {
  const options: { since?: string; writeHeads?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = args[i + 1];
    if (arg !== '--since' && arg !== '--write-heads') throw new UsageError(`unknown argument "${arg}"`);
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a file name`);
    if (arg === '--since') options.since = value;
    else options.writeHeads = value;
    i++;
  }
  return options;
}

/** Heads kept by --write-heads: [{ chain, seq, hash }]. */
function readHeads(file: string): ChainHead[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--since ${file}: ${error instanceof SyntaxError ? 'not JSON' : 'cannot be read'}`);
  }
  const valid = (h: unknown): h is { chain: number; seq: string; hash: string } =>
    typeof h === 'object' && h !== null && Number.isInteger((h as { chain?: unknown }).chain) && /^[0-9]+$/.test(String((h as { seq?: unknown }).seq)) && /^[0-9a-f]{64}$/.test(String((h as { hash?: unknown }).hash));
  if (!Array.isArray(parsed) || !parsed.every(valid)) throw new UsageError(`--since ${file}: expected the heads --write-heads writes ([{ "chain", "seq", "hash" }])`);
  return parsed.map((h) => ({ chain: h.chain, seq: BigInt(h.seq), hash: h.hash }));
}

/** One line, whatever went wrong: operators get a sentence, not a stack trace. */
function explain(error: unknown, settings: ConnectionSettings | null): string {
  if (error instanceof DatabaseToolError || error instanceof UsageError) return error.message;
  const code = (error as { code?: unknown })?.code;
  if (settings && typeof code === 'string' && /^(E[A-Z]+|28|3D)/.test(code)) return explainConnectionError(error, settings).message;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then((code) => process.exit(code));
}

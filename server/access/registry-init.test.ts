import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519Signer, generateSigningKeyPem } from '../ledger/signer';
import { createLedgerPool } from '../ledger/sql';
import { verifyLedger } from '../ledger/verify';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { enrollWithToken } from './enrollment';
import { createMailer, readCapturedMail } from '../mail/mailer';
import { initialiseRegistry, parseRegistryInitArgs, REGISTRY_ACCOUNTS } from './registry-init';

/**
 * `npm run registry:init` as operators run it: the real script in a child process, on a fresh
 * PostgreSQL database, its link mailed into a capture directory and then used to enroll.
 */
const run = promisify(execFile);
const BASE_URL = 'https://registry.example.test';
const signingKey = generateSigningKeyPem();

let database: TestDatabase;
let captureDir: string;

beforeAll(async () => {
  database = await createTestDatabase('registry_init');
  captureDir = await mkdtemp(path.join(tmpdir(), 'registry-init-mail-'));
});

afterAll(async () => {
  await database?.drop();
  if (captureDir) await rm(captureDir, { recursive: true, force: true });
});

async function registryInit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: database.url, LEDGER_SIGNING_KEY: signingKey, NEXTAUTH_URL: BASE_URL, MAIL_CAPTURE_DIR: captureDir, SMTP_URL: undefined };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/registry-init.ts', ...args], { env, cwd: path.resolve(__dirname, '../..'), timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function counts() {
  const db = database.db;
  const [users, grants, tokens, checks, accounts, transactions, entries] = await Promise.all([
    db.user.count(),
    db.grant.count(),
    db.enrollmentToken.count(),
    db.identityVerification.count(),
    db.account.count(),
    db.ledgerTransaction.count(),
    db.logEntry.count(),
  ]);
  return { users, grants, tokens, checks, accounts, transactions, entries };
}

describe('registry:init', () => {
  it('refuses bad arguments, naming what is wrong, and changes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [[], /--email is missing[\s\S]*--name is missing/],
      [['--name', 'Sam Sysadmin'], /--email is missing/],
      [['--email', 'not-an-address', '--name', 'Sam Sysadmin'], /--email: enter a valid email address/],
      [['--email', `${'a'.repeat(320)}@example.org`, '--name', 'Sam Sysadmin'], /--email: (an email address has at most 320 characters|enter a valid email address)/],
      [['--email', 'sam@example.org'], /--name is missing/],
      [['--email', 'sam@example.org', '--name', '   '], /real name \(--name\) has at least 2 characters/],
      [['--email', 'sam@example.org', '--name', 'x'.repeat(201)], /has at most 200 characters/],
      [['--email', 'sam@example.org', '--name', 'Sam\u202eSysadmin'], /invisible or direction-changing characters/],
      [['--email', 'sam@example.org', '--name', 'Sam', '--role', 'x'], /Unknown option '--role'/],
    ];
    for (const [args, message] of cases) {
      const parsed = parseRegistryInitArgs(args);
      expect(parsed.ok, args.join(' ')).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(message);
    }
    // The script itself says so and exits with 1.
    const refused = await registryInit('--email', 'not-an-address', '--name', 'Sam Sysadmin');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--email: enter a valid email address/);
    expect(await counts()).toMatchObject({ users: 0, grants: 0, tokens: 0, accounts: 0, transactions: 0 });
  });

  it('creates exactly one system administrator with an enrollment link, printed and mailed, that enrolls them', async () => {
    const before = await counts();
    const done = await registryInit('--email', ' Sam.Sysadmin@Example.org ', '--name', 'Sam Sysadmin');
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    const printed = /https:\/\/registry\.example\.test\/enroll\/([A-Za-z0-9_-]+)/.exec(done.stdout);
    expect(printed?.[1]).toBeTruthy();

    const after = await counts();
    // One act for the administrator, and an opening and an activation per registry account.
    const proposals = 1 + 2 * REGISTRY_ACCOUNTS.length;
    expect(after).toEqual({ ...before, users: 1, grants: 1, tokens: 1, checks: 1, accounts: REGISTRY_ACCOUNTS.length, transactions: before.transactions + proposals, entries: before.entries + proposals });
    const accounts = await database.db.account.findMany({ orderBy: { id: 'asc' }, select: { id: true, type: true, status: true, sectionId: true } });
    expect(accounts).toEqual(REGISTRY_ACCOUNTS.map((a) => ({ id: a.id, type: a.type, status: 'ACTIVE', sectionId: null })).sort((a, b) => a.id.localeCompare(b.id)));
    expect(await database.db.ledgerTransaction.count({ where: { status: 'REJECTED' } })).toBe(0);
    const user = await database.db.user.findFirstOrThrow({ include: { grants: true } });
    expect(user).toMatchObject({ email: 'sam.sysadmin@example.org', name: 'Sam Sysadmin', status: 'ACTIVE' });
    expect(user.grants.map((g) => ({ role: g.role, sectionId: g.sectionId, accountId: g.accountId, status: g.status }))).toEqual([{ role: 'SYSTEM_ADMIN', sectionId: null, accountId: null, status: 'ACTIVE' }]);
    const act = await database.db.ledgerTransaction.findFirstOrThrow({ where: { initiatorId: 'registry-init', kind: 'REGISTRY_INIT' } });
    expect(act).toMatchObject({ kind: 'REGISTRY_INIT', status: 'RECORDED' });

    const mails = (await readCapturedMail(captureDir)).filter((m) => m.to === 'sam.sysadmin@example.org');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain(`${BASE_URL}/enroll/${printed?.[1]}`);

    // The act is in the signed log, which still verifies under the key the script signed with.
    const pool = createLedgerPool(database.url, 1);
    try {
      const report = await verifyLedger(pool, ed25519Signer(signingKey).publicKeyPem);
      expect(report.disagreement).toBeNull();
      expect(report.ok).toBe(true);
    } finally {
      await pool.end();
    }

    // The link works: the administrator chooses a password (the passkey follows at sign-in).
    const ledger = database.ledger();
    const enrolled = await enrollWithToken(ledger, printed?.[1] ?? '', 'granite lantern orchard seventeen');
    expect(enrolled).toMatchObject({ ok: true, email: 'sam.sysadmin@example.org' });
  });

  it('run again, refuses with a clear message and exit code 1, and changes nothing', async () => {
    const before = await counts();
    const mailsBefore = (await readCapturedMail(captureDir)).length;
    const again = await registryInit('--email', 'someone.else@example.org', '--name', 'Someone Else');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already initialised: it has users\. Nothing was changed/);
    expect(again.stdout).not.toMatch(/enroll\//);
    expect(await counts()).toEqual(before);
    expect((await readCapturedMail(captureDir)).length).toBe(mailsBefore);
  });

  it('two concurrent runs on an empty database create one administrator: the other is refused', async () => {
    const other = await createTestDatabase('registry_init_race');
    try {
      const ledger = other.ledger();
      const mail = { mailer: createMailer({ from: 'Registry <no-reply@example.test>', captureDir }), baseUrl: BASE_URL };
      const answers = await Promise.all([
        initialiseRegistry(ledger, { email: 'first@example.org', name: 'First Admin' }, mail),
        initialiseRegistry(ledger, { email: 'second@example.org', name: 'Second Admin' }, mail),
      ]);
      expect(answers.filter((a) => a.ok)).toHaveLength(1);
      expect(answers.filter((a) => !a.ok).map((a) => (a.ok ? null : a.code))).toEqual(['REGISTRY_INITIALISED']);
      expect(await other.db.user.count()).toBe(1);
      expect(await other.db.enrollmentToken.count()).toBe(1);
      expect(await other.db.account.count()).toBe(REGISTRY_ACCOUNTS.length);
    } finally {
      await other.drop();
    }
  });
});

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, recordIdentityCheck, setUserAccessSuspended } from '../access/users';
import { createGrant } from '../access/grants';
import { registerApiClient, signingString } from '../access/api-clients';
import { externalProposeTransfer } from '../access/external-api';
import { requestProfileChange } from '../access/profiles';
import type { EnrollmentMail } from '../access/enrollment';
import { seedDemo } from '../demo/seed';
import type { Actor, LedgerContext, Proposal } from '../ledger/types';
import { execute } from '../ledger/write-path';
import { apiRequest } from '../testing/api-caller';
import { testClockStart } from '../testing/test-clock';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { appRouter } from './root';

/**
 * Every write is safe to retry (house rule 5): each mutation of the router, called twice through the
 * tRPC HTTP handler with the same idempotency key, makes one change and writes one transaction and
 * one log entry, and answers the retry with the first answer. Without a key it is refused, naming the
 * field, and writes nothing. The cases are enumerated against the router: a new mutation without a
 * case here fails the first test. The signed REST API's writes are held to the same.
 */

const NOW = new Date(testClockStart('2026-11-22T10:00:00.000Z'));
let database: TestDatabase;
let ledger: LedgerContext;
let serial = 0;
const sentMail: string[] = [];
const mail: EnrollmentMail = { mailer: { send: async (message) => void sentMail.push(message.to) }, baseUrl: 'https://registry.example.test' };

const registryAdmin: Actor = { userId: 'u-regadmin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const ghanaAdmin: Actor = { userId: 'u-gha-admin', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };
const cookstoves: Actor = { userId: 'u-gha-holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200-0001' }] };
const alpine: Actor = { userId: 'u-holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CHE-200-0001' }, { role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CHE-200-0002' }] };
/** The deputy registry administrator, acting for the holder (A6R-43). */
const deputyAsAlpine: Actor = { ...alpine, impersonatorId: 'u-regdeputy' };

const unique = (label: string) => `${label}-${++serial}`;
const must = <T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> => {
  if (!result.ok) throw new Error(`setup refused: ${JSON.stringify(result)}`);
  return result as Extract<T, { ok: true }>;
};
type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
async function recorded(actor: Actor, proposal: Unkeyed<Proposal>): Promise<string> {
  const outcome = await execute(ledger, actor, { ...proposal, idempotencyKey: unique('setup') } as Proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`setup refused: ${JSON.stringify(outcome.refusals)}`);
  return outcome.transactionId;
}
const balance = async (account: string) => {
  const rows = await database.db.$queryRaw<{ n: bigint | null }[]>`SELECT sum("lastSerial" - "firstSerial" + 1)::bigint AS n FROM "UnitBlock" WHERE "accountId" = ${account} AND "closedByTxId" IS NULL`;
  return rows[0]?.n ?? 0n;
};
/** A verified user of the registry's own, with no grants. */
async function newPerson(label: string): Promise<string> {
  const { userId } = must(await createUser(ledger, registryAdmin, { email: `${unique(label)}@example.test`, name: `Person ${label}` }));
  must(await recordIdentityCheck(ledger, { userId: 'u-sysadmin', impersonatorId: null, grants: [{ role: 'SYSTEM_ADMIN', sectionId: null, accountId: null }] }, { userId, method: 'GOVERNMENT_ID', outcome: 'VERIFIED', checkedAt: new Date(NOW.getTime() - 86_400_000), note: '' }));
  return userId;
}

/**
 * One write procedure: who calls it, what it is called with (prepared afresh), and the state it
 * changes (any value that tells whether the change was made, compared before and after).
 */
interface Case {
  readonly actor: Actor;
  readonly input: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  readonly state: (input: Record<string, unknown>) => Promise<unknown>;
}

const CASES: Record<string, Case> = {
  'account.setStatus': {
    actor: registryAdmin,
    input: () => ({ accountId: 'CHE-400-0001', status: 'SUSPENDED', reason: 'Holder asked for a pause.' }),
    state: () => database.db.accountEvent.count({ where: { accountId: 'CHE-400-0001' } }),
  },
  'transfer.submit': {
    actor: cookstoves,
    input: () => ({ fromAccountId: 'GHA-200-0001', toAccountId: 'CHE-200-0002', selection: { mode: 'implicit', quantity: 7n, constraints: {} } }),
    state: () => balance('CHE-200-0002'),
  },
  'me.removePasskey': {
    actor: alpine,
    input: async () => {
      const ids = [unique('passkey-a'), unique('passkey-b')];
      await database.db.webAuthnCredential.createMany({ data: ids.map((id) => ({ id, userId: alpine.userId, publicKey: Buffer.from('not a key'), counter: 0n, transports: [], label: id })) });
      return { credentialId: ids[0] };
    },
    state: () => database.db.webAuthnCredential.count({ where: { userId: alpine.userId } }),
  },
  'profile.requestChange': {
    actor: cookstoves,
    input: () => ({ name: 'Ama Owusu', affiliations: [], contacts: [{ kind: 'EMAIL', value: 'cookstoves@demo.registry' }, { kind: 'PHONE', value: '+233 20 000 0001' }] }),
    state: () => database.db.profileChangeRequest.count({ where: { userId: cookstoves.userId } }),
  },
  'profile.decide': {
    actor: registryAdmin,
    input: async () => {
      const viewer: Actor = { userId: 'u-viewer', impersonatorId: null, grants: [{ role: 'VIEWER', sectionId: null, accountId: 'CHE-200-0001' }] };
      const { requestId } = must(await requestProfileChange(ledger, viewer, { name: 'Vera Viewer-Huber', affiliations: [], contacts: [{ kind: 'EMAIL', value: 'viewer@demo.registry' }, { kind: 'PHONE', value: '+41 44 555 01 23' }] }));
      return { requestId, approve: true };
    },
    state: () => database.db.profileVersion.count({ where: { userId: 'u-viewer' } }),
  },
  'users.create': {
    actor: registryAdmin,
    input: () => ({ email: `${unique('created')}@example.test`, name: 'Created Once' }),
    state: () => database.db.user.count(),
  },
  'users.recordIdentityCheck': {
    actor: registryAdmin,
    input: () => ({ userId: 'u-applicant', method: 'GOVERNMENT_ID', outcome: 'VERIFIED', checkedAt: new Date(NOW.getTime() - 86_400_000), note: 'Passport seen.' }),
    state: () => database.db.identityVerification.count({ where: { userId: 'u-applicant' } }),
  },
  'users.sendEnrollmentLink': {
    actor: registryAdmin,
    input: async () => ({ userId: await newPerson('enrolled') }),
    state: async (input) => ({ links: await database.db.enrollmentToken.count({ where: { userId: String(input.userId) } }), mails: sentMail.length }),
  },
  'users.anonymise': {
    actor: registryAdmin,
    input: async () => {
      const userId = await newPerson('anonymised');
      must(await setUserAccessSuspended(ledger, registryAdmin, userId, true));
      return { userId };
    },
    state: async (input) => (await database.db.user.findUniqueOrThrow({ where: { id: String(input.userId) } })).anonymisedAt,
  },
  'users.setAccessSuspended': {
    actor: registryAdmin,
    input: async () => ({ userId: await newPerson('suspended'), suspended: true }),
    state: async (input) => (await database.db.user.findUniqueOrThrow({ where: { id: String(input.userId) } })).status,
  },
  'grants.create': {
    actor: registryAdmin,
    input: async () => ({ userId: await newPerson('granted'), role: 'VIEWER', sectionId: null, accountId: 'CHE-200-0002', cooperativeApproachIds: [] }),
    state: (input) => database.db.grant.count({ where: { userId: String(input.userId) } }),
  },
  'grants.setSuspended': {
    actor: registryAdmin,
    input: async () => ({ grantId: must(await createGrant(ledger, registryAdmin, { userId: await newPerson('grant-suspended'), role: 'VIEWER', sectionId: null, accountId: 'CHE-200-0002' })).grantId, suspended: true }),
    state: async (input) => (await database.db.grant.findUniqueOrThrow({ where: { id: String(input.grantId) } })).status,
  },
  'grants.revoke': {
    actor: registryAdmin,
    input: async () => ({ grantId: must(await createGrant(ledger, registryAdmin, { userId: await newPerson('grant-revoked'), role: 'VIEWER', sectionId: null, accountId: 'CHE-200-0002' })).grantId }),
    state: (input) => database.db.grant.count({ where: { id: String(input.grantId) } }),
  },
  'impersonation.start': {
    actor: registryAdmin,
    input: async () => {
      await database.db.authSession.create({ data: { id: `s-${registryAdmin.userId}`, userId: registryAdmin.userId, expiresAt: new Date(NOW.getTime() + 3_600_000), secondFactorAt: NOW, stepUpAt: NOW } });
      return { userId: alpine.userId };
    },
    state: async () => (await database.db.authSession.findUniqueOrThrow({ where: { id: `s-${registryAdmin.userId}` } })).impersonatedUserId,
  },
  'impersonation.stop': {
    actor: deputyAsAlpine,
    input: async () => {
      await database.db.authSession.create({ data: { id: 's-u-regdeputy', userId: 'u-regdeputy', expiresAt: new Date(NOW.getTime() + 3_600_000), secondFactorAt: NOW, stepUpAt: NOW, impersonatedUserId: alpine.userId, impersonationEndsAt: new Date(NOW.getTime() + 60_000) } });
      return {};
    },
    state: async () => (await database.db.authSession.findUniqueOrThrow({ where: { id: 's-u-regdeputy' } })).impersonatedUserId,
  },
  'apiClients.register': {
    actor: registryAdmin,
    input: () => ({ name: 'Registered once', publicKeyPem: generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(), riskLevel: 'LOW', riskAssessment: 'Reads one account; key in an HSM at the operator.' }),
    state: () => database.db.apiClient.count(),
  },
  'apiClients.revoke': {
    actor: registryAdmin,
    input: async () => {
      const publicKeyPem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
      return { clientId: must(await registerApiClient(ledger, registryAdmin, { name: 'Revoked once', publicKeyPem, riskLevel: 'LOW', riskAssessment: 'Reads one account; key in an HSM at the operator.' })).clientId };
    },
    state: async (input) => (await database.db.apiClient.findUniqueOrThrow({ where: { id: String(input.clientId) } })).revokedAt,
  },
  'rules.configure': {
    actor: registryAdmin,
    input: () => ({ rule: 'transfer-limit', scope: { type: 'SECTION', id: 'GHA' }, enabled: true, settings: { maximum: '999999' } }),
    state: () => database.db.administrativeRecord.count(),
  },
  'rules.suspend': {
    actor: registryAdmin,
    input: () => ({ rule: 'transfer-limit', scope: { type: 'REGISTRY' }, from: NOW, until: new Date(NOW.getTime() + 3_600_000), reason: 'Limit under review.' }),
    state: () => database.db.administrativeRecord.count(),
  },
  'rules.lift': {
    actor: registryAdmin,
    input: async () => {
      const suspension = await recorded(registryAdmin, { kind: 'SUSPEND_RULE', rule: 'transfer-fee', scope: { type: 'REGISTRY' }, from: NOW, until: new Date(NOW.getTime() + 3_600_000), reason: 'Fee under review.' });
      return { suspensionId: `${suspension}/0`, reason: 'Review finished early.' };
    },
    state: () => database.db.administrativeRecord.count(),
  },
  'rules.correct': {
    actor: registryAdmin,
    input: async () => {
      const mistaken = await recorded(registryAdmin, { kind: 'TRANSFER', fromAccountId: 'GHA-200-0001', toAccountId: 'CHE-200-0002', selection: { mode: 'implicit', quantity: 3n, constraints: {} } });
      return { action: 'REVERSE', correctsTransactionId: mistaken, reason: 'Entered by mistake.' };
    },
    state: () => balance('CHE-200-0002'),
  },
  'rules.authorize': {
    actor: ghanaAdmin,
    input: () => ({ party: 'GHA', uses: 'NDC', units: { mode: 'conditions', conditions: { vintageFrom: 2030 } }, oimpFirstTransfer: null, applicableFrom: null, supersedes: null }),
    state: () => database.db.administrativeRecord.count({ where: { kind: 'AUTHORIZATION' } }),
  },
  'rules.answer': {
    actor: registryAdmin,
    input: async () => {
      const waiting = await execute(ledger, alpine, { kind: 'TRANSFER', idempotencyKey: unique('waits'), fromAccountId: 'CHE-200-0001', toAccountId: 'CHE-200-0002', selection: { mode: 'implicit', quantity: 50n, constraints: {} } });
      if (waiting.status !== 'RECORDED' || !waiting.pending) throw new Error(`the transfer does not wait: ${JSON.stringify(waiting)}`);
      return { reservationTransactionId: waiting.transactionId, decision: 'APPROVE', reason: '' };
    },
    state: () => balance('CHE-200-0002'),
  },
  'compliance.run': {
    actor: registryAdmin,
    input: () => ({}),
    state: () => database.db.complianceRun.count(),
  },
};

interface Procedure {
  _def: { type: string };
}
const mutations = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>)
  .filter(([, p]) => p._def.type === 'mutation')
  .map(([name]) => name)
  .sort();

const written = async () => ({ transactions: await database.db.ledgerTransaction.count(), entries: await database.db.logEntry.count() });
const call = (actor: Actor, procedure: string, input: unknown) => apiRequest(database, ledger, actor, NOW, procedure, input, 'mutation', { mail });

beforeAll(async () => {
  database = await createTestDatabase('api_idempotency');
  let clock = NOW.getTime() - 3_600_000;
  ledger = database.ledger({ now: () => new Date(clock++) });
  await seedDemo(ledger, 'a demo password for this test');
  // Transfers out of the holder's trading account wait for a second person, in an escrow account.
  await recorded(registryAdmin, { kind: 'OPEN_ACCOUNT', account: { id: 'IR-800-0001', registry: 'INTERNATIONAL', name: 'Escrow', type: 'ADMIN_HOLDING', holderName: 'International registry', sectionId: null, cooperativeApproachId: null } });
  await recorded(registryAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'IR-800-0001', status: 'ACTIVE' });
  await recorded(registryAdmin, { kind: 'CONFIGURE_RULE', rule: 'four-eyes', scope: { type: 'ACCOUNT', id: 'CHE-200-0001' }, enabled: true, settings: { threshold: '10', escrowAccountId: 'IR-800-0001', expiresAfterHours: 24 } });
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

describe('every write procedure requires an idempotency key and is safe to retry', () => {
  it('has a case here for every mutation of the router', () => {
    expect(mutations.length).toBeGreaterThan(20);
    expect(mutations).toEqual(Object.keys(CASES).sort());
  });

  for (const procedure of mutations) {
    it(`${procedure}: one change, one transaction, one log entry for two calls under one key; refused without a key`, async () => {
      const work = CASES[procedure];
      if (!work) throw new Error(`no case for ${procedure}`);
      const input = await work.input();

      const before = { ...(await written()), state: await work.state(input) };
      const missing = await call(work.actor, procedure, input);
      expect({ status: missing.status, code: missing.error?.data.code }, 'without a key').toEqual({ status: 400, code: 'BAD_REQUEST' });
      expect(missing.error?.message).toContain('The request id (idempotencyKey) is missing');
      expect({ ...(await written()), state: await work.state(input) }, 'a request without a key writes nothing').toEqual(before);

      const idempotencyKey = unique(`retry-${procedure}`);
      const first = await call(work.actor, procedure, { ...input, idempotencyKey });
      expect({ status: first.status, error: first.error?.message }, 'the first call').toEqual({ status: 200, error: undefined });
      expect(first.result, 'the first call is recorded').not.toMatchObject({ status: 'REJECTED' });
      const once = { ...(await written()), state: await work.state(input) };
      expect(once.transactions, 'one transaction').toBe(before.transactions + 1);
      expect(once.entries, 'one log entry').toBe(before.entries + 1);
      expect(once.state, 'the change is made').not.toEqual(before.state);

      const retry = await call(work.actor, procedure, { ...input, idempotencyKey });
      expect(retry.status, 'the retry').toBe(200);
      expect(retry.result, 'the retry answers the first answer').toEqual({ ...(first.result as object), replayed: true });
      expect({ ...(await written()), state: await work.state(input) }, 'the retry changes nothing').toEqual(once);
    });
  }
});

describe('a key names one request', () => {
  it('refuses the same key for another act, and another request of the same act, changing nothing', async () => {
    const idempotencyKey = unique('one-request');
    expect((await call(registryAdmin, 'users.create', { idempotencyKey, email: `${unique('first')}@example.test`, name: 'First Request' })).status).toBe(200);
    const before = { ...(await written()), users: await database.db.user.count() };
    const other = await call(registryAdmin, 'users.create', { idempotencyKey, email: `${unique('second')}@example.test`, name: 'Second Request' });
    expect({ status: other.status, message: other.error?.message }).toEqual({ status: 409, message: expect.stringContaining('This request id (idempotencyKey) was used before for a different request') });
    const ledgerProposal = await call(registryAdmin, 'rules.configure', { idempotencyKey, rule: 'transfer-limit', scope: { type: 'SECTION', id: 'CHE' }, enabled: true, settings: { maximum: '5' } });
    expect(ledgerProposal.result).toMatchObject({ status: 'REJECTED', refusals: [{ code: 1001, check: 'IDEMPOTENCY_KEY_REUSED' }] });
    const compliance = await call(registryAdmin, 'compliance.run', { idempotencyKey });
    expect(compliance.status).toBe(409);
    // The refused ledger proposal is logged (REFUSED_DUPLICATE, no transaction row), nothing else is.
    expect({ ...(await written()), users: await database.db.user.count() }).toEqual({ ...before, entries: before.entries + 1 });
  });

  it('lets another user use the same key for a request of his own', async () => {
    const idempotencyKey = unique('shared');
    const ghana = await call(ghanaAdmin, 'users.create', { idempotencyKey, email: `${unique('ghana')}@example.test`, name: 'Ghana Request' });
    const registry = await call(registryAdmin, 'users.create', { idempotencyKey, email: `${unique('registry')}@example.test`, name: 'Registry Request' });
    expect([ghana.status, registry.status]).toEqual([200, 200]);
    expect((ghana.result as { userId: string }).userId).not.toBe((registry.result as { userId: string }).userId);
  });

  it('answers two concurrent requests under one key with one act', async () => {
    const idempotencyKey = unique('concurrent');
    const input = { idempotencyKey, email: `${unique('concurrent')}@example.test`, name: 'Concurrent Request' };
    const before = await written();
    const answers = await Promise.all([call(registryAdmin, 'users.create', input), call(registryAdmin, 'users.create', input), call(registryAdmin, 'users.create', input)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((a) => (a.result as { userId: string }).userId)).size).toBe(1);
    expect(answers.filter((a) => (a.result as { replayed: boolean }).replayed)).toHaveLength(2);
    expect(await written()).toEqual({ transactions: before.transactions + 1, entries: before.entries + 1 });
  });
});

describe('the signed REST API', () => {
  /** The write endpoints under app/api/external: a route file that exports POST, PUT, PATCH or DELETE. */
  function externalWrites(dir = path.resolve(import.meta.dirname, '../../app/api/external')): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return externalWrites(full);
      if (entry.name !== 'route.ts' || !/export (async )?function (POST|PUT|PATCH|DELETE)\b/.test(readFileSync(full, 'utf8'))) return [];
      return [`/${path.relative(path.resolve(import.meta.dirname, '../../app'), path.dirname(full)).split(path.sep).join('/')}`];
    });
  }

  it('has one write endpoint, the transfer proposal, which requires a key and records a retry once', async () => {
    expect(externalWrites()).toEqual(['/api/external/v1/transfers']);
    const keys = generateKeyPairSync('ed25519');
    const client = must(await registerApiClient(ledger, registryAdmin, { name: 'Retrying platform', publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), riskLevel: 'LOW', riskAssessment: 'Proposes transfers out of one account; key in an HSM.' }));
    must(await createGrant(ledger, registryAdmin, { userId: client.userId, role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CHE-200-0002' }));
    const signed = (body: unknown) => {
      const text = JSON.stringify(body);
      const timestamp = NOW.toISOString();
      const nonce = randomBytes(16).toString('base64url');
      const signature = sign(null, Buffer.from(signingString('POST', '/api/external/v1/transfers', timestamp, nonce, text)), keys.privateKey).toString('base64');
      return { method: 'POST', pathWithQuery: '/api/external/v1/transfers', headers: new Headers({ 'x-registry-client': client.clientId, 'x-registry-timestamp': timestamp, 'x-registry-nonce': nonce, 'x-registry-signature': signature }), body: text };
    };
    const transfer = { fromAccountId: 'CHE-200-0002', toAccountId: 'CHE-200-0001', selection: { mode: 'implicit', quantity: '4', constraints: {} } };

    const before = { ...(await written()), balance: await balance('CHE-200-0001') };
    expect(await externalProposeTransfer(ledger, signed(transfer), NOW)).toMatchObject({ status: 400, body: { code: 'BODY_INVALID', error: expect.stringContaining('idempotencyKey is required') } });
    expect({ ...(await written()), balance: await balance('CHE-200-0001') }).toEqual(before);
    const first = await externalProposeTransfer(ledger, signed({ ...transfer, idempotencyKey: 'platform-retry-0001' }), NOW);
    const retry = await externalProposeTransfer(ledger, signed({ ...transfer, idempotencyKey: 'platform-retry-0001' }), NOW);
    expect([first.status, retry.status]).toEqual([201, 200]);
    expect(retry.body).toMatchObject({ transactionId: (first.body as { transactionId: string }).transactionId, replayed: true });
    expect({ ...(await written()), balance: await balance('CHE-200-0001') }).toEqual({ transactions: before.transactions + 1, entries: before.entries + 1, balance: before.balance + 4n });
  });
});

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../demo/seed';
import type { Actor, LedgerContext } from '../ledger/types';
import { verifyLedger } from '../ledger/verify';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { registerApiClient, revokeApiClient, SIGNATURE_WINDOW_MS, signingString } from './api-clients';
import { externalAccountHoldings, externalAccountTransactions, externalProposeTransfer } from './external-api';
import { createGrant, revokeGrant, setGrantSuspended } from './grants';

let database: TestDatabase;
let ledger: LedgerContext & { publicKeyPem: string };
const NOW = new Date('2026-11-22T09:00:00Z');
const registryAdmin: Actor = { userId: 'u-regadmin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const keys = generateKeyPairSync('ed25519');
const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
let clientId = '';
let grantId = '';

beforeAll(async () => {
  database = await createTestDatabase('registry_api_clients');
  ledger = database.ledger({ now: () => NOW });
  await seedDemo(ledger, 'the demo password, long enough');
});

afterAll(async () => {
  await database?.drop();
});

/** A request as an external system signs it. */
function signed(path: string, options: { at?: Date; nonce?: string; client?: string; key?: typeof keys.privateKey } = {}) {
  const timestamp = (options.at ?? NOW).toISOString();
  const nonce = options.nonce ?? randomBytes(16).toString('base64url');
  const signature = sign(null, Buffer.from(signingString('GET', path, timestamp, nonce, '')), options.key ?? keys.privateKey).toString('base64');
  const headers = new Headers({ 'x-registry-client': options.client ?? clientId, 'x-registry-timestamp': timestamp, 'x-registry-nonce': nonce, 'x-registry-signature': signature });
  return { method: 'GET', pathWithQuery: path, headers, body: '' };
}

const path = (account: string) => `/api/external/v1/accounts/${account}`;

describe('external systems (A6R-8)', () => {
  it('are registered with a risk assessment and an Ed25519 key, then granted accounts like any user', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const input = { name: 'Voluntary cancellation platform', riskLevel: 'MEDIUM' as const, riskAssessment: 'Reads holdings of one account; TLS 1.3; key held in an HSM at the operator.' };
    expect(await registerApiClient(ledger, registryAdmin, { ...input, publicKeyPem: rsa })).toMatchObject({ ok: false, code: 'KEY_INVALID' });
    const registered = await registerApiClient(ledger, registryAdmin, { ...input, publicKeyPem });
    if (!registered.ok) throw new Error(registered.message);
    clientId = registered.clientId;
    const granted = await createGrant(ledger, registryAdmin, { userId: registered.userId, role: 'EXTERNAL_SYSTEM', sectionId: null, accountId: 'CHE-200-0001' });
    if (!granted.ok) throw new Error(granted.message);
    grantId = granted.grantId;
  });

  it('answers a signed request within its grant, and logs the read', async () => {
    const answer = await externalAccountHoldings(database.db, signed(path('CHE-200-0001')), 'CHE-200-0001', NOW);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ accountId: 'CHE-200-0001', balance: expect.stringMatching(/^[1-9][0-9]*$/) });
    expect(await database.db.accessLogEntry.count({ where: { resource: 'CHE-200-0001', action: 'external.account.read' } })).toBe(1);
    expect((await externalAccountHoldings(database.db, signed(path('GHA-200-0001')), 'GHA-200-0001', NOW)).status).toBe(404);
  });

  it('refuses, in order: missing signature, unknown client, stale timestamp, wrong signature, replayed nonce', async () => {
    const code = async (request: ReturnType<typeof signed>) => ((await externalAccountHoldings(database.db, request, 'CHE-200-0001', NOW)).body as { code: string }).code;
    expect(await code({ ...signed(path('CHE-200-0001')), headers: new Headers() })).toBe('SIGNATURE_MISSING');
    expect(await code(signed(path('CHE-200-0001'), { client: 'c-nobody' }))).toBe('CLIENT_UNKNOWN');
    expect(await code(signed(path('CHE-200-0001'), { at: new Date(NOW.getTime() - SIGNATURE_WINDOW_MS - 1000) }))).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(await code(signed(path('CHE-200-0001'), { key: generateKeyPairSync('ed25519').privateKey }))).toBe('SIGNATURE_INVALID');
    // A signature for one path does not open another.
    expect(await code({ ...signed(path('CHE-200-0002')), pathWithQuery: path('CHE-200-0001') })).toBe('SIGNATURE_INVALID');
    const once = signed(path('CHE-200-0001'), { nonce: 'the-same-nonce-twice' });
    expect((await externalAccountHoldings(database.db, once, 'CHE-200-0001', NOW)).status).toBe(200);
    expect(await code(once)).toBe('NONCE_REUSED');
  });

  it('stops at once when its grant is suspended or the client is revoked', async () => {
    expect(await setGrantSuspended(ledger, registryAdmin, grantId, true)).toMatchObject({ ok: true });
    expect((await externalAccountHoldings(database.db, signed(path('CHE-200-0001')), 'CHE-200-0001', NOW)).status).toBe(403);
    expect(await setGrantSuspended(ledger, registryAdmin, grantId, false)).toMatchObject({ ok: true });
    expect((await externalAccountHoldings(database.db, signed(path('CHE-200-0001')), 'CHE-200-0001', NOW)).status).toBe(200);
    expect(await revokeApiClient(ledger, registryAdmin, clientId)).toMatchObject({ ok: true });
    expect((await externalAccountHoldings(database.db, signed(path('CHE-200-0001')), 'CHE-200-0001', NOW)).status).toBe(401);
    expect(await revokeApiClient(ledger, registryAdmin, clientId)).toMatchObject({ ok: false, code: 'CLIENT_NOT_FOUND' });
  });
});

describe('the signed API: holdings, transactions and proposed transfers (A6R-8)', () => {
  const platformKeys = generateKeyPairSync('ed25519');
  let platform = { clientId: '', userId: '' };
  let readGrant = '';

  /** Any request as the platform signs it: method, path with query and body are all signed. */
  function request(method: 'GET' | 'POST', pathWithQuery: string, body = '', options: { at?: Date; nonce?: string; key?: typeof platformKeys.privateKey; sentBody?: string } = {}) {
    const timestamp = (options.at ?? NOW).toISOString();
    const nonce = options.nonce ?? randomBytes(16).toString('base64url');
    const signature = sign(null, Buffer.from(signingString(method, pathWithQuery, timestamp, nonce, body)), options.key ?? platformKeys.privateKey).toString('base64');
    const headers = new Headers({ 'x-registry-client': platform.clientId, 'x-registry-timestamp': timestamp, 'x-registry-nonce': nonce, 'x-registry-signature': signature });
    return { method, pathWithQuery, headers, body: options.sentBody ?? body };
  }
  const transactions = (account: string, query = '') => request('GET', `/api/external/v1/accounts/${account}/transactions${query}`);
  const readTransactions = (r: ReturnType<typeof request>, account: string) => externalAccountTransactions(database.db, r, account, new URL(`http://registry${r.pathWithQuery}`).searchParams, NOW);
  const propose = (body: unknown, options: Parameters<typeof request>[3] = {}) => request('POST', '/api/external/v1/transfers', typeof body === 'string' ? body : JSON.stringify(body), options);
  const transfer = (key: string, quantity: string, from = 'CHE-200-0001', to = 'CHE-200-0002') => ({ idempotencyKey: key, fromAccountId: from, toAccountId: to, selection: { mode: 'implicit', quantity, constraints: { vintage: 2021 } } });
  const balance = async (account: string) => {
    const rows = await database.db.$queryRaw<{ n: bigint | null }[]>`SELECT sum("lastSerial" - "firstSerial" + 1)::bigint AS n FROM "UnitBlock" WHERE "accountId" = ${account} AND "closedByTxId" IS NULL`;
    return rows[0]?.n ?? 0n;
  };

  beforeAll(async () => {
    const registered = await registerApiClient(ledger, registryAdmin, {
      name: 'Carbon trading platform',
      riskLevel: 'HIGH',
      riskAssessment: 'Proposes transfers out of one client account; mutual TLS; key in the platform HSM; daily reconciliation.',
      publicKeyPem: platformKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    if (!registered.ok) throw new Error(registered.message);
    platform = registered;
    const granted = await createGrant(ledger, registryAdmin, { userId: platform.userId, role: 'EXTERNAL_SYSTEM', sectionId: null, accountId: 'CHE-200-0001' });
    if (!granted.ok) throw new Error(granted.message);
    readGrant = granted.grantId;
  });

  it('gives external systems only system roles, granted by registry administrators', async () => {
    const swissAdmin: Actor = { userId: 'u-che-admin', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'CHE', accountId: null }] };
    expect(await createGrant(ledger, swissAdmin, { userId: platform.userId, role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CHE-200-0002' })).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await createGrant(ledger, registryAdmin, { userId: platform.userId, role: 'VIEWER', sectionId: null, accountId: 'CHE-200-0002' })).toMatchObject({ ok: false, code: 'GRANT_SHAPE_INVALID' });
    expect(await createGrant(ledger, registryAdmin, { userId: 'u-viewer', role: 'EXTERNAL_SYSTEM', sectionId: null, accountId: 'CHE-200-0002' })).toMatchObject({ ok: false, code: 'GRANT_SHAPE_INVALID', message: expect.stringMatching(/external systems only/) });
    // Nor does a section administrator suspend the grants of a system.
    expect(await setGrantSuspended(ledger, swissAdmin, readGrant, true)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
  });

  it('lists an account\'s transactions within the grant, access-logged, and refuses other accounts and bad queries', async () => {
    const answer = await readTransactions(transactions('CHE-200-0001', '?limit=3'), 'CHE-200-0001');
    expect(answer.status).toBe(200);
    const body = answer.body as { accountId: string; transactions: { transactionId: string; kind: string; change: string; createdAt: string }[] };
    expect(body.transactions).toHaveLength(3);
    expect(body.transactions.every((t) => t.kind === 'TRANSFER' && /^-?[1-9][0-9]*$/.test(t.change))).toBe(true);
    expect(await database.db.accessLogEntry.count({ where: { userId: platform.userId, resource: 'CHE-200-0001', action: 'external.account.transactions' } })).toBe(1);
    expect(await readTransactions(transactions('CHE-200-0002'), 'CHE-200-0002')).toMatchObject({ status: 404, body: { code: 'ACCOUNT_NOT_GRANTED' } });
    expect(await readTransactions(transactions('NO-SUCH-ACCOUNT'), 'NO-SUCH-ACCOUNT')).toMatchObject({ status: 404, body: { code: 'ACCOUNT_NOT_GRANTED' } });
    expect(await readTransactions(transactions('CHE-200-0001', '?limit=0'), 'CHE-200-0001')).toMatchObject({ status: 400, body: { code: 'QUERY_INVALID', error: expect.stringMatching(/^limit:/) } });
    expect(await database.db.accessLogEntry.count({ where: { userId: platform.userId, action: 'external.account.transactions' } })).toBe(1);
  });

  it('refuses a proposal without the propose scope, then proposes through the ledger as the system itself', async () => {
    // Read access alone: the policy refuses before the body is even read.
    expect(await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0001', '10')), NOW)).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    const represent = await createGrant(ledger, registryAdmin, { userId: platform.userId, role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CHE-200-0001' });
    expect(represent).toMatchObject({ ok: true });
    // Another account than the one it represents.
    expect(await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0002', '10', 'CHE-200-0002', 'CHE-200-0001')), NOW)).toMatchObject({ status: 404, body: { code: 'ACCOUNT_NOT_GRANTED' } });

    const before = [await balance('CHE-200-0001'), await balance('CHE-200-0002')];
    const recorded = await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0003', '10')), NOW);
    expect(recorded).toMatchObject({ status: 201, body: { status: 'RECORDED', quantity: '10', replayed: false, idempotencyKey: 'platform-transfer-0003' } });
    expect([await balance('CHE-200-0001'), await balance('CHE-200-0002')]).toEqual([before[0]! - 10n, before[1]! + 10n]);
    const transactionId = (recorded.body as { transactionId: string }).transactionId;
    const row = await database.db.ledgerTransaction.findUniqueOrThrow({ where: { id: transactionId }, select: { initiatorId: true, impersonatorId: true, idempotencyKey: true } });
    expect(row).toEqual({ initiatorId: platform.userId, impersonatorId: null, idempotencyKey: `api:${platform.clientId}:platform-transfer-0003` });

    // A retry (a new request, same key and body) returns the first outcome and moves nothing.
    expect(await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0003', '10')), NOW)).toMatchObject({ status: 200, body: { status: 'RECORDED', transactionId, replayed: true } });
    expect(await balance('CHE-200-0002')).toBe(before[1]! + 10n);
    // The same key for another transfer is refused with the ledger's code.
    expect(await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0003', '11')), NOW)).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_KEY_REUSED', refusals: [{ code: 1001 }] } });
  });

  it('returns the ledger\'s numbered refusals as 422, never a 500', async () => {
    const tooMany = await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0004', '999999999')), NOW);
    expect(tooMany).toMatchObject({ status: 422, body: { code: 'TRANSFER_REFUSED', status: 'REJECTED', refusals: [{ code: 5002, check: 'INSUFFICIENT_UNITS' }] } });
    expect(await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0005', '1', 'CHE-200-0001', 'NO-SUCH-ACCOUNT')), NOW)).toMatchObject({ status: 422, body: { refusals: [{ code: 3001 }] } });
    const explicit = { idempotencyKey: 'platform-transfer-0006', fromAccountId: 'CHE-200-0001', toAccountId: 'CHE-200-0002', selection: { mode: 'explicit', seriesId: 'no-such-series', firstSerial: '1', lastSerial: '5' } };
    expect(await externalProposeTransfer(ledger, propose(explicit), NOW)).toMatchObject({ status: 422, body: { refusals: [{ code: 4001 }] } });
  });

  it('refuses a bad body with a clear 400 that names the field, and changes nothing', async () => {
    const before = await database.db.ledgerTransaction.count();
    const bad = async (body: unknown) => {
      const a = await externalProposeTransfer(ledger, propose(body), NOW);
      expect(a.status).toBe(400);
      return (a.body as { code: string; error: string }).error;
    };
    expect(await bad('{"idempotencyKey": ')).toBe('The body is not valid JSON.');
    expect(await bad([1, 2])).toMatch(/JSON object with idempotencyKey/);
    expect(await bad({ ...transfer('platform-transfer-0008', '1'), toAccountId: 'CHE-200-0002\u0000' })).toMatch(/^The field toAccountId contains a NUL character/);
    const { idempotencyKey: _, ...withoutKey } = transfer('x', '1');
    expect(await bad(withoutKey)).toMatch(/idempotencyKey is required/);
    expect(await bad(transfer('short', '1'))).toMatch(/idempotencyKey has 8 to 100 characters/);
    expect(await bad({ ...transfer('platform-transfer-0007', '1'), selection: { mode: 'implicit', quantity: 10 } })).toMatch(/selection\.quantity is a decimal string/);
    expect(await bad({ ...transfer('platform-transfer-0007', '1'), selection: { mode: 'implicit', quantity: '-3' } })).toMatch(/selection\.quantity is a positive whole number/);
    expect(await bad({ ...transfer('platform-transfer-0007', '1'), selection: { mode: 'sideways', quantity: '3' } })).toMatch(/selection\.mode is "explicit"/);
    expect(await bad({ ...transfer('platform-transfer-0007', '1'), amount: '3' })).toMatch(/amount/);
    expect(await bad({ ...transfer('platform-transfer-0007', '1'), selection: { mode: 'explicit', seriesId: 's', firstSerial: '9', lastSerial: '5' } })).toMatch(/lastSerial must not be before/);
    expect(await database.db.ledgerTransaction.count()).toBe(before);
  });

  it('refuses replays, stale timestamps, bad signatures and a tampered body before anything else', async () => {
    const once = propose(transfer('platform-transfer-0008', '1'), { nonce: 'platform-nonce-used-once' });
    expect((await externalProposeTransfer(ledger, once, NOW)).status).toBe(201);
    expect(await externalProposeTransfer(ledger, once, NOW)).toMatchObject({ status: 401, body: { code: 'NONCE_REUSED' } });
    expect(await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0009', '1'), { at: new Date(NOW.getTime() + SIGNATURE_WINDOW_MS + 1000) }), NOW)).toMatchObject({ status: 401, body: { code: 'TIMESTAMP_OUT_OF_WINDOW' } });
    expect(await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0009', '1'), { key: generateKeyPairSync('ed25519').privateKey }), NOW)).toMatchObject({ status: 401, body: { code: 'SIGNATURE_INVALID' } });
    // The body is signed: a different quantity under the same signature does not verify.
    const tampered = propose(transfer('platform-transfer-0009', '1'), { sentBody: JSON.stringify(transfer('platform-transfer-0009', '500')) });
    expect(await externalProposeTransfer(ledger, tampered, NOW)).toMatchObject({ status: 401, body: { code: 'SIGNATURE_INVALID' } });
    expect(await readTransactions({ ...transactions('CHE-200-0001'), headers: new Headers() }, 'CHE-200-0001')).toMatchObject({ status: 401, body: { code: 'SIGNATURE_MISSING' } });
    expect(await database.db.ledgerTransaction.count({ where: { idempotencyKey: `api:${platform.clientId}:platform-transfer-0009` } })).toBe(0);
  });

  it('reads every account of a section granted to it, and proposes from none of them', async () => {
    expect(await createGrant(ledger, registryAdmin, { userId: platform.userId, role: 'EXTERNAL_SYSTEM', sectionId: 'CHE', accountId: 'CHE-200-0002' })).toMatchObject({ ok: false, code: 'GRANT_SHAPE_INVALID' });
    expect(await readTransactions(transactions('CHE-300-0001'), 'CHE-300-0001')).toMatchObject({ status: 404 });
    expect(await createGrant(ledger, registryAdmin, { userId: platform.userId, role: 'EXTERNAL_SYSTEM', sectionId: 'CHE', accountId: null })).toMatchObject({ ok: true });
    expect((await readTransactions(transactions('CHE-300-0001'), 'CHE-300-0001')).status).toBe(200);
    expect((await externalAccountHoldings(database.db, request('GET', '/api/external/v1/accounts/CHE-200-0002'), 'CHE-200-0002', NOW)).status).toBe(200);
    expect(await readTransactions(transactions('GHA-200-0001'), 'GHA-200-0001')).toMatchObject({ status: 404, body: { code: 'ACCOUNT_NOT_GRANTED' } });
    expect(await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0012', '1', 'CHE-200-0002', 'CHE-200-0001')), NOW)).toMatchObject({ status: 404, body: { code: 'ACCOUNT_NOT_GRANTED' } });
  });

  it('stops every endpoint at once when the propose grant is revoked or the client is revoked', async () => {
    const holderGrant = await database.db.grant.findFirstOrThrow({ where: { userId: platform.userId, role: 'ACCOUNT_HOLDER' } });
    expect(await revokeGrant(ledger, registryAdmin, holderGrant.id)).toMatchObject({ ok: true });
    expect(await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0010', '1')), NOW)).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    expect((await readTransactions(transactions('CHE-200-0001'), 'CHE-200-0001')).status).toBe(200);
    expect(await revokeApiClient(ledger, registryAdmin, platform.clientId)).toMatchObject({ ok: true });
    expect(await readTransactions(transactions('CHE-200-0001'), 'CHE-200-0001')).toMatchObject({ status: 401, body: { code: 'CLIENT_UNKNOWN' } });
    expect(await externalProposeTransfer(ledger, propose(transfer('platform-transfer-0011', '1')), NOW)).toMatchObject({ status: 401, body: { code: 'CLIENT_UNKNOWN' } });
    expect(await externalAccountHoldings(database.db, request('GET', '/api/external/v1/accounts/CHE-200-0001'), 'CHE-200-0001', NOW)).toMatchObject({ status: 401, body: { code: 'CLIENT_UNKNOWN' } });
  });

  it('leaves the log verifiable with the system\'s transfers in it', async () => {
    const report = await verifyLedger(ledger.pool, ledger.publicKeyPem);
    expect(report.disagreement).toBeNull();
  });
});

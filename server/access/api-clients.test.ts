import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../demo/seed';
import type { Actor, LedgerContext } from '../ledger/types';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { registerApiClient, revokeApiClient, SIGNATURE_WINDOW_MS, signingString } from './api-clients';
import { externalAccountHoldings } from './external-api';
import { createGrant, setGrantSuspended } from './grants';

let database: TestDatabase;
let ledger: LedgerContext;
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

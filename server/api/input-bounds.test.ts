import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../demo/seed';
import type { Actor, LedgerContext, Proposal } from '../ledger/types';
import { execute, MAX_LOGGED_INPUT_CHARS } from '../ledger/write-path';
import { apiCallerFor, apiRequest } from '../testing/api-caller';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';

/**
 * Every input is bounded at the schema: an oversized request is a 400 naming what is wrong, before the
 * ledger, and changes nothing; the ledger's own bound keeps what the log records of any proposal small.
 */

const NOW = new Date('2026-11-22T10:00:00Z');
let database: TestDatabase;
let ledger: LedgerContext;
const registryAdmin: Actor = { userId: 'u-regadmin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const cookstoves: Actor = { userId: 'u-gha-holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200-0001' }] };

beforeAll(async () => {
  database = await createTestDatabase('api_input_bounds');
  let clock = NOW.getTime() - 3_600_000;
  ledger = database.ledger({ now: () => new Date(clock++) });
  await seedDemo(ledger, 'a demo password for this test');
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

const written = async () => ({ transactions: await database.db.ledgerTransaction.count(), entries: await database.db.logEntry.count() });

/** A mutation through the HTTP handler; its error as the client sees it (status, tRPC code, message). */
async function refused(actor: Actor, path: string, input: unknown): Promise<{ status: number; code: string | undefined; message: string | undefined }> {
  const answer = await apiRequest(database, ledger, actor, NOW, path, input, 'mutation');
  return { status: answer.status, code: answer.error?.data.code, message: answer.error?.message };
}

const transfer = (over: Record<string, unknown>) => ({ idempotencyKey: 'bounds-transfer', fromAccountId: 'GHA-200-0001', toAccountId: 'CHE-200-0001', selection: { mode: 'implicit', quantity: 1n, constraints: {} }, ...over });

describe('oversized requests are refused at the schema, and change nothing', () => {
  it('refuses a 500,000-digit quantity as a bad request naming the quantity, writing nothing', async () => {
    const before = await written();
    const answer = await refused(cookstoves, 'transfer.submit', transfer({ selection: { mode: 'implicit', quantity: '9'.repeat(500_000), constraints: {} } }));
    expect(answer).toEqual({ status: 400, code: 'BAD_REQUEST', message: 'The quantity has at most 19 digits.' });
    expect(await written()).toEqual(before);
  });

  it('refuses a quantity beyond what the registry can hold, and a serial that is no whole number', async () => {
    expect((await refused(cookstoves, 'transfer.submit', transfer({ selection: { mode: 'implicit', quantity: 9_999_999_999_999_999_999n, constraints: {} } }))).message).toBe('The quantity is larger than the registry can hold.');
    expect((await refused(cookstoves, 'transfer.submit', transfer({ selection: { mode: 'explicit', seriesId: 'S', firstSerial: '1.5', lastSerial: 2n } }))).message).toBe('The first serial must be a whole number.');
  });

  it('refuses 2,000 rule settings as a bad request, writing nothing', async () => {
    const before = await written();
    const settings = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`setting${i}`, i]));
    const answer = await refused(registryAdmin, 'rules.configure', { idempotencyKey: 'many-settings', rule: 'transfer-limit', scope: { type: 'REGISTRY' }, enabled: true, settings });
    expect(answer).toEqual({ status: 400, code: 'BAD_REQUEST', message: 'A rule takes at most 16 settings.' });
    expect(await written()).toEqual(before);
  });

  it('refuses an over-long identifier and an over-long idempotency key, naming them', async () => {
    expect((await refused(cookstoves, 'transfer.submit', transfer({ toAccountId: 'X'.repeat(65) }))).message).toBe('Account number has at most 64 characters.');
    expect((await refused(cookstoves, 'transfer.submit', transfer({ idempotencyKey: 'k'.repeat(101) }))).message).toBe('The request id has at most 100 characters.');
  });

  it("answers missing or mistyped fields in plain words, not the validation library's", async () => {
    const missing = await refused(cookstoves, 'transfer.submit', { idempotencyKey: 'missing-1', fromAccountId: 'GHA-200-0001' });
    expect(missing.code).toBe('BAD_REQUEST');
    expect(missing.message).not.toMatch(/Invalid input|expected|received/);
    expect(missing.message).toContain('Enter an account number.');
    const mistyped = await refused(registryAdmin, 'rules.configure', { idempotencyKey: 'mistyped-1', rule: 'transfer-limit', scope: { type: 'REGISTRY' }, enabled: 'yes' });
    expect(mistyped.message).toBe('Enabled has the wrong form.');
  });
});

describe('names, contacts and dates that would mislead an administrator', () => {
  it('refuses a bidirectional override (U+202E) in a name or a contact, naming the field, and writes nothing', async () => {
    const before = await database.db.profileChangeRequest.count();
    const override = await refused(cookstoves, 'profile.requestChange', { idempotencyKey: 'override-name', name: 'Ama \u202Eexe.gpj', affiliations: [], contacts: [{ kind: 'EMAIL', value: 'ama@example.test' }, { kind: 'PHONE', value: '+233 20 000 0000' }] });
    expect(override).toEqual({ status: 400, code: 'BAD_REQUEST', message: 'Your real name contains invisible or direction-changing characters (such as U+202E); type it again without them.' });
    const contact = await refused(cookstoves, 'profile.requestChange', { idempotencyKey: 'override-contact', name: 'Ama Owusu', affiliations: [], contacts: [{ kind: 'EMAIL', value: 'ama@example.test' }, { kind: 'PHONE', value: '+233\u2066 20 000 0000' }] });
    expect(contact.message).toBe('The contact contains invisible or direction-changing characters (such as U+202E); type it again without them.');
    const created = await refused(registryAdmin, 'users.create', { idempotencyKey: 'override-user', email: 'new.person@example.test', name: 'New\u200F Person' });
    expect(created.message).toBe("The person's real name contains invisible or direction-changing characters (such as U+202E); type it again without them.");
    expect(await database.db.profileChangeRequest.count()).toBe(before);
  });

  it('refuses an identity check dated in the year 1000, and one in the future', async () => {
    const check = { idempotencyKey: 'dated-check', userId: 'u-applicant', method: 'GOVERNMENT_ID', outcome: 'VERIFIED', note: '' };
    expect(await refused(registryAdmin, 'users.recordIdentityCheck', { ...check, checkedAt: new Date('1000-06-01T00:00:00Z') })).toEqual({ status: 400, code: 'BAD_REQUEST', message: 'The date of the check cannot be before 1900.' });
    expect((await refused(registryAdmin, 'users.recordIdentityCheck', { ...check, checkedAt: new Date(NOW.getTime() + 86_400_000) })).message).toBe('The date of the check cannot be in the future.');
    expect(await database.db.identityVerification.count({ where: { userId: 'u-applicant' } })).toBe(0);
  });
});

describe('text PostgreSQL cannot store', () => {
  const sysadmin: Actor = { userId: 'u-sysadmin', impersonatorId: null, grants: [{ role: 'SYSTEM_ADMIN', sectionId: null, accountId: null }] };

  it('refuses a NUL character in a query, a mutation and a nested field with a 400 naming the field, not a 500', async () => {
    const read = await apiRequest(database, ledger, sysadmin, NOW, 'users.get', { userId: 'u-regadmin\u0000' }, 'query');
    expect(read.status).toBe(400);
    expect(read.error?.message).toBe('The field userId contains a NUL character (U+0000) or a broken UTF-16 surrogate, which the registry cannot store; type it again without it.');
    const before = await written();
    const stop = await refused(cookstoves, 'impersonation.stop', { idempotencyKey: 'stop-\u0000-impersonating' });
    expect(stop).toEqual({ status: 400, code: 'BAD_REQUEST', message: expect.stringContaining('The field idempotencyKey contains a NUL character') });
    const nested = await refused(cookstoves, 'transfer.submit', transfer({ idempotencyKey: 'nul-nested', selection: { mode: 'explicit', seriesId: 'S\u0000', firstSerial: 1n, lastSerial: 2n } }));
    expect(nested.message).toContain('The field selection.seriesId contains a NUL character');
    expect(await written()).toEqual(before);
  });

  it('refuses a lone UTF-16 surrogate but lets a whole pair (an emoji) through to the schema', async () => {
    const lone = await refused(cookstoves, 'transfer.submit', transfer({ idempotencyKey: 'lone-surrogate', toAccountId: 'CHE-200-0001\ud800' }));
    expect(lone).toEqual({ status: 400, code: 'BAD_REQUEST', message: expect.stringContaining('The field toAccountId contains') });
    const pair = await refused(cookstoves, 'transfer.submit', transfer({ idempotencyKey: 'whole-pair', toAccountId: 'CHE-\ud83c\udf33' }));
    expect(pair.message ?? '').not.toContain('broken UTF-16 surrogate');
  });
});

describe('answers are not stored by browsers or proxies', () => {
  it('carries Cache-Control: no-store on data and on errors', async () => {
    const data = await apiRequest(database, ledger, cookstoves, NOW, 'account.list', undefined, 'query');
    expect(data.status).toBe(200);
    expect(data.headers.get('cache-control')).toBe('no-store');
    const error = await apiRequest(database, ledger, cookstoves, NOW, 'account.get', { id: 'CHE-200-0001' }, 'query');
    expect(error.status).toBe(404);
    expect(error.headers.get('cache-control')).toBe('no-store');
  });
});

describe('account numbers', () => {
  it('are matched whatever their case: gha-200-0001 is GHA-200-0001', async () => {
    const found = await apiCallerFor(database, ledger, cookstoves, NOW).account.lookup({ id: ' gha-200-0001 ' });
    expect(found.id).toBe('GHA-200-0001');
    const outcome = await apiCallerFor(database, ledger, cookstoves, NOW).transfer.submit({ idempotencyKey: 'lower-case-1', fromAccountId: 'gha-200-0001', toAccountId: 'che-200-0001', selection: { mode: 'implicit', quantity: 1n, constraints: {} } });
    expect(outcome.status).toBe('RECORDED');
  });
});

describe("the ledger's own bound on what the log records", () => {
  it('refuses a proposal whose input exceeds the bound (1003), and logs a summary of it, not the input', async () => {
    const proposal = { kind: 'TRANSFER', idempotencyKey: 'direct-oversized', fromAccountId: 'GHA-200-0001', toAccountId: 'CHE-200-0001', selection: { mode: 'implicit', quantity: BigInt('9'.repeat(400_000)), constraints: {} } } as unknown as Proposal;
    const outcome = await execute(ledger, cookstoves, proposal);
    expect(outcome).toMatchObject({ status: 'REJECTED', refusals: [{ code: 1003, judged: { limit: MAX_LOGGED_INPUT_CHARS } }] });
    const row = await database.db.ledgerTransaction.findFirstOrThrow({ where: { initiatorId: 'u-gha-holder', idempotencyKey: 'direct-oversized' } });
    expect(row.input.length).toBeLessThan(2_000);
    const entry = await database.db.logEntry.findFirstOrThrow({ where: { transactionId: row.id } });
    expect(entry.payload.length).toBeLessThan(4_000);
    // Retried as it was, it is the same request: the first outcome.
    expect(await execute(ledger, cookstoves, proposal)).toMatchObject({ status: 'REJECTED', transactionId: row.id, replayed: true });
  });

  it('logs a proposal within the bound whole', async () => {
    const outcome = await execute(ledger, cookstoves, { kind: 'TRANSFER', idempotencyKey: 'direct-small', fromAccountId: 'GHA-200-0001', toAccountId: 'CHE-200-0001', selection: { mode: 'implicit', quantity: 2n, constraints: {} } });
    expect(outcome.status).toBe('RECORDED');
    const row = await database.db.ledgerTransaction.findFirstOrThrow({ where: { initiatorId: 'u-gha-holder', idempotencyKey: 'direct-small' } });
    expect(JSON.parse(row.input)).toMatchObject({ proposal: { selection: { quantity: '2' } } });
  });
});

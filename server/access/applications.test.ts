import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerContext } from '../ledger/types';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { applyForAccess, APPLICATION_MESSAGES, APPLICATIONS_PER_ADDRESS_PER_HOUR } from './applications';

let database: TestDatabase;
let ledger: LedgerContext;
let clock = new Date('2026-11-22T09:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase('registry_apply');
  ledger = database.ledger({ now: () => (clock = new Date(clock.getTime() + 1)) });
});

afterAll(async () => {
  await database?.drop();
});

describe('applications (A6R-13)', () => {
  it('create a user without grants or credentials, logged without personal data', async () => {
    expect(await applyForAccess(ledger, { name: 'Olu Adeyemi', email: 'Olu@Example.test' }, '192.0.2.10')).toEqual({ ok: true, message: APPLICATION_MESSAGES.RECEIVED });
    const user = await database.db.user.findUniqueOrThrow({ where: { email: 'olu@example.test' }, include: { grants: true, credentials: true } });
    expect([user.name, user.grants, user.credentials]).toEqual(['Olu Adeyemi', [], []]);
    const entry = await database.db.logEntry.findFirstOrThrow({ where: { kind: 'USER_APPLY' } });
    expect(entry.payload).not.toContain('Olu');
    const tx = await database.db.ledgerTransaction.findFirstOrThrow({ where: { kind: 'USER_APPLY' } });
    expect(tx.initiatorId).toBe(user.id);
  });

  it('answer the same for a known address, creating nothing', async () => {
    expect(await applyForAccess(ledger, { name: 'Someone Else', email: 'olu@example.test' }, '192.0.2.11')).toEqual({ ok: true, message: APPLICATION_MESSAGES.RECEIVED });
    expect(await database.db.user.count()).toBe(1);
  });

  it('are limited per address', async () => {
    for (let i = 0; i < APPLICATIONS_PER_ADDRESS_PER_HOUR; i++) await applyForAccess(ledger, { name: `Person ${i}`, email: `p${i}@example.test` }, '198.51.100.1');
    expect(await applyForAccess(ledger, { name: 'One More', email: 'more@example.test' }, '198.51.100.1')).toMatchObject({ ok: false, message: APPLICATION_MESSAGES.TOO_MANY });
    expect(await applyForAccess(ledger, { name: 'One More', email: 'more@example.test' }, '198.51.100.2')).toMatchObject({ ok: true });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { signInWithPassword } from './auth-options';
import { hashPassword } from './password';
import { ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT, THROTTLE_WINDOW_MS } from './throttle';

let database: TestDatabase;
const T0 = new Date('2030-01-01T08:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const GOOD = 'a perfectly fine passphrase';

beforeAll(async () => {
  database = await createTestDatabase('auth_throttle');
  const passwordHash = await hashPassword(GOOD);
  await database.db.user.createMany({
    data: [
      { id: 'u-1', email: 'one@example.test', name: 'One', passwordHash },
      { id: 'u-2', email: 'two@example.test', name: 'Two', passwordHash },
      { id: 'u-3', email: 'three@example.test', name: 'Three', passwordHash, status: 'SUSPENDED' },
    ],
  });
});

afterAll(async () => {
  await database?.drop();
});

const attempt = (email: string, password: string, ms: number, address = '192.0.2.1') => signInWithPassword(database.db, { email, password }, at(ms), address);

describe('sign-in throttling', () => {
  it('locks an account after repeated failures, even for the right password, until the window has passed', async () => {
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) expect(await attempt('one@example.test', 'wrong password here', i)).toMatchObject({ ok: false, code: 'CREDENTIALS_INVALID' });
    const locked = await attempt('one@example.test', GOOD, 100);
    expect(locked).toMatchObject({ ok: false, code: 'ACCOUNT_THROTTLED' });
    if (!locked.ok) expect(locked.message).toMatch(/Too many failed sign-in attempts for this account/);
    // Another account from the same address is not affected.
    expect(await attempt('two@example.test', GOOD, 200)).toMatchObject({ ok: true });
    expect(await attempt('one@example.test', GOOD, THROTTLE_WINDOW_MS + 10)).toMatchObject({ ok: true });
  });

  it('counts unknown emails like known ones, so the answer reveals nothing', async () => {
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) await attempt('nobody@example.test', 'whatever it is', 1000 + i, '192.0.2.9');
    expect(await attempt('nobody@example.test', 'whatever it is', 1100, '192.0.2.9')).toMatchObject({ ok: false, code: 'ACCOUNT_THROTTLED' });
  });

  it('a success clears the account\'s count', async () => {
    const base = 10 * THROTTLE_WINDOW_MS;
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT - 1; i++) await attempt('two@example.test', 'wrong password here', base + i, '198.51.100.7');
    expect(await attempt('two@example.test', GOOD, base + 10, '198.51.100.7')).toMatchObject({ ok: true });
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT - 1; i++) await attempt('two@example.test', 'wrong password here', base + 20 + i, '198.51.100.7');
    expect(await attempt('two@example.test', GOOD, base + 40, '198.51.100.7')).toMatchObject({ ok: true });
  });

  it('locks an address that tries many accounts', async () => {
    const base = 20 * THROTTLE_WINDOW_MS;
    for (let i = 0; i < ADDRESS_FAILURE_LIMIT; i++) await attempt(`guess${i}@example.test`, 'wrong password here', base + i, '203.0.113.5');
    expect(await attempt('two@example.test', GOOD, base + 100, '203.0.113.5')).toMatchObject({ ok: false, code: 'ADDRESS_THROTTLED' });
    expect(await attempt('two@example.test', GOOD, base + 100, '203.0.113.6')).toMatchObject({ ok: true });
  });

  it('tells a suspended user so only after the right password', async () => {
    expect(await attempt('three@example.test', 'wrong password here', 50 * THROTTLE_WINDOW_MS)).toMatchObject({ ok: false, code: 'CREDENTIALS_INVALID' });
    expect(await attempt('three@example.test', GOOD, 50 * THROTTLE_WINDOW_MS + 1)).toMatchObject({ ok: false, code: 'ACCESS_SUSPENDED' });
  });

});

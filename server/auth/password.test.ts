import { describe, expect, it } from 'vitest';
import { hashPassword, passwordHashNeedsUpgrade, verifyPassword } from './password';

describe('password hashing', () => {
  it('stores scrypt with its parameters, a random salt and a 32-byte key', async () => {
    const stored = await hashPassword('correct horse battery staple');
    const parts = stored.split('$');
    expect(parts).toHaveLength(6);
    expect(parts.slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(parts[4] ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5] ?? '', 'base64')).toHaveLength(32);
    expect(passwordHashNeedsUpgrade(stored)).toBe(false);
  });

  it('accepts the right password and refuses others', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('Correct horse battery staple', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash, so equal passwords give different hashes', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('treats composed and decomposed Unicode as the same password', async () => {
    const stored = await hashPassword('Zürich-2030');
    expect(await verifyPassword('Zu\u0308rich-2030', stored)).toBe(true);
  });

  it('refuses a tampered key', async () => {
    const stored = await hashPassword('tamper me');
    const parts = stored.split('$');
    const key = Buffer.from(parts[5] ?? '', 'base64');
    key[0] = (key[0] ?? 0) ^ 1;
    parts[5] = key.toString('base64');
    expect(await verifyPassword('tamper me', parts.join('$'))).toBe(false);
  });

  it('verifies hashes made with other (bounded) parameters, and flags weaker ones for upgrade', async () => {
    // A hash with N = 2^14 from an older configuration must keep working.
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.alloc(16, 7);
    const key = scryptSync('older', salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const stored = `scrypt$16384$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    expect(await verifyPassword('older', stored)).toBe(true);
    expect(passwordHashNeedsUpgrade(stored)).toBe(true);
  });

  it('throws on a stored value that is not one of its hashes (a broken invariant, not a wrong password)', async () => {
    for (const bad of ['', 'plain-text', '$2b$10$abcdefghijklmnopqrstuv', 'scrypt$1024$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==', 'scrypt$32768$8$1$!!$??', 'scrypt$33000$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==']) {
      await expect(verifyPassword('x', bad)).rejects.toThrow(/scrypt\$N\$r\$p/);
    }
  });

  it('refuses to hash an empty password', async () => {
    await expect(hashPassword('')).rejects.toThrow();
  });
});

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt, which is memory-hard: guessing costs memory as well as time, so
 * graphics cards and custom chips gain little over the server.
 *
 * Stored form: `scrypt$N$r$p$saltBase64$hashBase64`. The parameters travel with the hash so that they
 * can be raised later without invalidating existing passwords.
 */

/** Cost parameters: N = 2^15, r = 8, p = 1 (OWASP's recommendation for scrypt). */
const COST_N = 2 ** 15;
const BLOCK_SIZE_R = 8;
const PARALLELISM_P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** Bounds accepted when reading a stored hash; they keep a corrupted row from stalling the server. */
const MIN_COST_N = 2 ** 14;
const MAX_COST_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/**
 * scrypt needs 128 · N · r · p bytes; Node refuses anything above `maxmem` (32 MiB by default, which
 * N = 2^15, r = 8 reaches exactly). Twice the requirement leaves room for Node's own accounting.
 */
function memoryLimitBytes(n: number, r: number, p: number): number {
  return 2 * 128 * n * r * p;
}

function deriveKey(plain: string, salt: Buffer, keyBytes: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(plain.normalize('NFC'), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(plain: string): Promise<string> {
  if (typeof plain !== 'string' || plain.length === 0) throw new Error('hashPassword: the password must be a non-empty string.');
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(plain, salt, KEY_BYTES, {
    N: COST_N,
    r: BLOCK_SIZE_R,
    p: PARALLELISM_P,
    maxmem: memoryLimitBytes(COST_N, BLOCK_SIZE_R, PARALLELISM_P),
  });
  if (key.length !== KEY_BYTES) throw new Error('hashPassword: scrypt returned a key of the wrong length.');
  return ['scrypt', COST_N, BLOCK_SIZE_R, PARALLELISM_P, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseStoredHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, nText, rText, pText, saltText, keyText] = parts as [string, string, string, string, string, string];
  const n = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  if (!Number.isInteger(n) || n < MIN_COST_N || n > MAX_COST_N || (n & (n - 1)) !== 0) return null;
  if (!Number.isInteger(r) || r < 1 || r > MAX_R) return null;
  if (!Number.isInteger(p) || p < 1 || p > MAX_P) return null;
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return null;
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 128) return null;
  return { n, r, p, salt, key };
}

/**
 * True when `plain` is the password behind `stored`. The comparison takes the same time wherever the
 * keys differ. A stored value that is not a hash of ours is a broken invariant (a corrupted or
 * foreign row), so it throws instead of answering "wrong password".
 */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parsed = parseStoredHash(stored);
  if (!parsed) throw new Error('verifyPassword: the stored password hash is not in the scrypt$N$r$p$salt$hash form.');
  if (typeof plain !== 'string' || plain.length === 0) return false;
  const candidate = await deriveKey(plain, parsed.salt, parsed.key.length, {
    N: parsed.n,
    r: parsed.r,
    p: parsed.p,
    maxmem: memoryLimitBytes(parsed.n, parsed.r, parsed.p),
  });
  if (candidate.length !== parsed.key.length) throw new Error('verifyPassword: scrypt returned a key of the wrong length.');
  return timingSafeEqual(candidate, parsed.key);
}

/** True when a stored hash uses weaker parameters than today's, so it should be rehashed at the next sign-in. */
export function passwordHashNeedsUpgrade(stored: string): boolean {
  const parsed = parseStoredHash(stored);
  return !parsed || parsed.n < COST_N || parsed.r < BLOCK_SIZE_R || parsed.key.length < KEY_BYTES;
}

import { createRequire } from 'node:module';

/**
 * Passwords in the NIST SP 800-63B style (§5.1.1.2): at least 12 characters, long passphrases
 * welcome, no composition rules, no expiry; refused when commonly used, breached or expected. The
 * list of common and breached passwords ships with the project: the `passwords-common` dictionary of
 * `@zxcvbn-ts/language-common` (about 49,000 passwords from public breach corpora), pinned in
 * package.json and read from node_modules, never fetched at run time.
 */
export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase; bounded so that hashing cannot be abused. */
export const MAX_PASSWORD_LENGTH = 256;

export const PASSWORD_PROBLEMS = {
  TOO_SHORT: `Use at least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a good password.`,
  TOO_LONG: `Use at most ${MAX_PASSWORD_LENGTH} characters.`,
  COMMON: 'This password is on the list of common and breached passwords. Choose another.',
  CONTEXT: 'This password contains your name, your email address or the registry\'s name. Choose another.',
  REPETITIVE: 'This password is too repetitive. Choose another.',
} as const;

export type PasswordProblem = keyof typeof PASSWORD_PROBLEMS;

let common: ReadonlySet<string> | undefined;

function commonPasswords(): ReadonlySet<string> {
  if (!common) {
    const require = createRequire(import.meta.url);
    const { dictionary } = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, unknown> };
    const list = dictionary['passwords-common'];
    if (!Array.isArray(list) || list.length < 10_000) throw new Error('The list of common passwords is missing or too short: reinstall @zxcvbn-ts/language-common.');
    common = new Set(list.map((p) => String(p).toLowerCase()));
  }
  return common;
}

/** Length in characters as people count them (code points, after Unicode normalisation). */
function characterCount(password: string): number {
  return [...password.normalize('NFC')].length;
}

/**
 * The first problem with a new password, or null. Context: the user's own name and email, which
 * attackers try first. Order: length, list, context, repetition.
 */
export function passwordProblem(password: string, context: { readonly email?: string; readonly name?: string } = {}): PasswordProblem | null {
  const length = characterCount(password);
  if (length < MIN_PASSWORD_LENGTH) return 'TOO_SHORT';
  if (length > MAX_PASSWORD_LENGTH) return 'TOO_LONG';
  const lower = password.normalize('NFC').toLowerCase();
  const list = commonPasswords();
  // A listed password with digits or symbols added before or after is as weak as the listed one.
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  if (list.has(lower) || (core.length >= 4 && list.has(core))) return 'COMMON';
  const words = [context.email?.split('@')[0], ...(context.name ?? '').split(/\s+/), 'article6', 'registry']
    .map((w) => (w ?? '').toLowerCase())
    .filter((w) => w.length >= 4);
  if (words.some((w) => lower.includes(w))) return 'CONTEXT';
  if (new Set(lower).size < 4) return 'REPETITIVE';
  return null;
}

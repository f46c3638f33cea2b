import { z } from 'zod';

/**
 * The bounds of every input the procedures take, in one place, so that an oversized request is a 400
 * naming its field before anything reaches the ledger (whose own bound, MAX_LOGGED_INPUT_CHARS, is the
 * last line, not the first).
 */

/** A quantity or serial fits PostgreSQL's bigint: at most 19 digits. */
export const MAX_UNIT_DIGITS = 19;
const MAX_UNITS = 9_223_372_036_854_775_807n;
/** Account numbers, series, approaches, activities, transaction ids. */
export const MAX_ID_CHARS = 64;
/** Settings a rule takes: a handful; 16 leaves room for any rule the catalog may publish. */
export const MAX_SETTINGS = 16;
/** Serial ranges in one authorization. */
export const MAX_RANGES = 1000;
/** Client idempotency keys. */
export const MAX_KEY_CHARS = 100;

/**
 * A positive whole number of units or a serial, as the client sends it: a bigint (superjson), a decimal
 * string or a safe integer. Its length is checked before it becomes a bigint.
 */
export const units = (what: string) =>
  z
    .union([z.bigint(), z.string().trim(), z.number()], { message: `${what} must be a whole number.` })
    .transform((value, context) => {
      const text = typeof value === 'string' ? value : typeof value === 'number' ? (Number.isSafeInteger(value) ? String(value) : 'not whole') : value.toString();
      const problem = !/^-?[0-9]+$/.test(text) ? `${what} must be a whole number.` : text.replace(/^-/, '').replace(/^0+(?=.)/, '').length > MAX_UNIT_DIGITS ? `${what} has at most ${MAX_UNIT_DIGITS} digits.` : null;
      if (problem !== null) {
        context.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return BigInt(text);
    })
    .refine((v) => v > 0n, `${what} must be greater than zero.`)
    .refine((v) => v <= MAX_UNITS, `${what} is larger than the registry can hold.`);

/** An identifier (account number, series, approach, activity, transaction), trimmed, 1 to 64 characters. */
export const identifier = (what: string) => z.string({ message: `Enter ${what}.` }).trim().min(1, `Enter ${what}.`).max(MAX_ID_CHARS, `${capitalised(what)} has at most ${MAX_ID_CHARS} characters.`);

/** An account number: trimmed and upper-cased, since account numbers are written in capitals (GHA-200-0001). */
export const accountNumber = (what = 'an account number') => identifier(what).transform((v) => v.toUpperCase());

/** A client's idempotency key: one per confirmed form, 8 to 100 characters. */
export const idempotencyKeyOf = () => z.string({ message: 'The request id (idempotencyKey) is missing: every write sends one, drawn once per confirmed form and sent again unchanged to retry it.' }).min(8, 'The request id has at least 8 characters.').max(MAX_KEY_CHARS, `The request id has at most ${MAX_KEY_CHARS} characters.`);

/** A rule's settings: at most MAX_SETTINGS named values, each name at most 64 characters. */
export const settingsMap = <V extends z.ZodType>(value: V) =>
  z
    .record(z.string().max(64, 'A setting name has at most 64 characters.'), value)
    .refine((settings) => Object.keys(settings).length <= MAX_SETTINGS, `A rule takes at most ${MAX_SETTINGS} settings.`);

function capitalised(text: string): string {
  const bare = text.replace(/^an? /, '');
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

/**
 * Characters that change how text is shown without being seen: C0 and C1 controls, the bidirectional
 * embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the direction marks (U+200E,
 * U+200F, U+061C), zero-width characters and the byte-order mark. In a name or a contact they can
 * disguise what an administrator approves (an override shows "gpj.exe" as "exe.jpg").
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** Free text a person types (a name, a contact, a reason): trimmed, bounded, and shown as typed. */
export const plainText = (what: string, min: number, max: number, multiline = false) =>
  z
    .string({ message: `Enter ${what}.` })
    .trim()
    .min(min, min <= 1 ? `Enter ${what}.` : `${capitalised(what)} has at least ${min} characters.`)
    .max(max, `${capitalised(what)} has at most ${max} characters.`)
    .refine((text) => !INVISIBLE.test(multiline ? text.replace(/\r?\n|\t/g, ' ') : text), `${capitalised(what)} contains invisible or direction-changing characters (such as U+202E); type it again without them.`);

/** A date of something that has happened: not before 1900 (a year 1000 is a typing mistake). */
export const pastDate = (what: string) => z.coerce.date({ message: `Enter ${what}.` }).min(new Date('1900-01-01T00:00:00Z'), `${capitalised(what)} cannot be before 1900.`);

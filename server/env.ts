import { z } from 'zod';
import { scheduleProblem } from './jobs/worker';

/** A job schedule: five crontab fields, or "off" (then null). */
function schedule(name: string, fallback: string) {
  return z
    .string()
    .trim()
    .max(100, `${name} must be at most 100 characters`)
    .default(fallback)
    .superRefine((value, ctx) => {
      const problem = value === 'off' ? null : scheduleProblem(name, value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((value) => (value === 'off' ? null : value));
}

/** A variable an earlier release read: refused with the name of the one that replaced it, so that nobody's setting is silently ignored. */
function replacedBy(name: string, replacement: string) {
  return z.undefined({ message: `${name} is no longer read: set ${replacement} instead (a crontab pattern such as "* * * * *", or "off")` }).optional();
}

// The registry's configuration, validated once at start-up so that a mistake is a clear message
// naming the variable, never a failure deep inside a request.
const schema = z.object({
  DATABASE_URL: z
    .string()
    .url('DATABASE_URL must be a postgresql:// connection URL')
    .refine((v) => v.startsWith('postgres://') || v.startsWith('postgresql://'), 'DATABASE_URL must be a postgresql:// connection URL'),
  NEXTAUTH_SECRET: z.string().min(32, 'NEXTAUTH_SECRET must be at least 32 characters of random data'),
  NEXTAUTH_URL: z.string().url('NEXTAUTH_URL must be the public URL of the registry, e.g. http://localhost:3000'),
  /** Ed25519 private key of the registry (PKCS#8 PEM) that signs every log entry. */
  LEDGER_SIGNING_KEY: z.string().includes('PRIVATE KEY', { message: 'LEDGER_SIGNING_KEY must be an Ed25519 private key in PKCS#8 PEM form' }),
  /** The WebAuthn relying party: its id is the registrable domain of NEXTAUTH_URL. */
  WEBAUTHN_RP_NAME: z.string().default('Article 6 Registry'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Outgoing mail: an smtp:// or smtps:// URL with credentials. Unset: messages are captured as files in MAIL_CAPTURE_DIR. */
  SMTP_URL: z
    .string()
    .refine((v) => v.startsWith('smtp://') || v.startsWith('smtps://'), 'SMTP_URL must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Article 6 Registry <no-reply@localhost>'),
  MAIL_CAPTURE_DIR: z.string().min(1).default('.data/mail'),
  /** Reverse proxies in front of the registry that append to X-Forwarded-For (for sign-in throttling per address). */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0, 'TRUSTED_PROXY_HOPS must be 0 or more').max(10).default(0),
  /** When the registry sends back the units of expired four-eyes reservations (A6R-47): a crontab pattern in UTC, or "off". */
  RESERVATION_EXPIRY_SCHEDULE: schedule('RESERVATION_EXPIRY_SCHEDULE', '* * * * *'),
  /** When the registry runs every compliance check on the whole registry (A6R-19): a crontab pattern in UTC, or "off". */
  COMPLIANCE_SCHEDULE: schedule('COMPLIANCE_SCHEDULE', '0 * * * *'),
  RESERVATION_EXPIRY_INTERVAL_SECONDS: replacedBy('RESERVATION_EXPIRY_INTERVAL_SECONDS', 'RESERVATION_EXPIRY_SCHEDULE'),
  COMPLIANCE_INTERVAL_SECONDS: replacedBy('COMPLIANCE_INTERVAL_SECONDS', 'COMPLIANCE_SCHEDULE'),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

type Source = Readonly<Record<string, string | undefined>>;

/** What is wrong with a configuration, one line per variable, or null when it is valid. */
export function configurationProblems(source: Source = process.env): string | null {
  const parsed = schema.safeParse(source);
  return parsed.success ? null : describe(parsed.error.issues);
}

function describe(issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[]): string {
  const lines = issues.map((issue) => `  - ${issue.path.map(String).join('.')}: ${issue.message}`);
  return `The registry's configuration is invalid:\n${lines.join('\n')}\nSee README.md, "Configuration".`;
}

/** The registry's configuration, validated once; an invalid one throws a message naming each variable. */
export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) throw new Error(describe(parsed.error.issues));
  cached = parsed.data;
  return cached;
}

/**
 * The variables a command-line script needs, validated as the server validates them, so that a script
 * fails at once with the same clear message rather than deep inside its work.
 */
export function envFor<const K extends keyof Env>(names: readonly K[], source: Source = process.env): Pick<Env, K> {
  const values: Record<string, unknown> = {};
  const issues: { path: PropertyKey[]; message: string }[] = [];
  for (const name of names) {
    const parsed = schema.shape[name].safeParse(source[name]);
    if (parsed.success) values[name] = parsed.data;
    else issues.push(...parsed.error.issues.map((issue) => ({ path: [name], message: issue.message })));
  }
  if (issues.length > 0) throw new Error(describe(issues));
  return values as unknown as Pick<Env, K>;
}

import { z } from 'zod';

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
  /** Seconds between the registry's own runs that expire due reservations (A6R-47); 0 switches them off. */
  RESERVATION_EXPIRY_INTERVAL_SECONDS: z.coerce
    .number({ message: 'RESERVATION_EXPIRY_INTERVAL_SECONDS must be a whole number of seconds' })
    .int('RESERVATION_EXPIRY_INTERVAL_SECONDS must be a whole number of seconds')
    .min(0, 'RESERVATION_EXPIRY_INTERVAL_SECONDS must be 0 (off) or more')
    .max(86_400, 'RESERVATION_EXPIRY_INTERVAL_SECONDS must be at most 86400 (a day)')
    .default(60),
  /** Seconds between the registry's own compliance runs on the whole registry (A6R-19); 0 switches them off. */
  COMPLIANCE_INTERVAL_SECONDS: z.coerce
    .number({ message: 'COMPLIANCE_INTERVAL_SECONDS must be a whole number of seconds' })
    .int('COMPLIANCE_INTERVAL_SECONDS must be a whole number of seconds')
    .min(0, 'COMPLIANCE_INTERVAL_SECONDS must be 0 (off) or more')
    .max(604_800, 'COMPLIANCE_INTERVAL_SECONDS must be at most 604800 (a week)')
    .default(3_600),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`The registry's configuration is invalid:\n${lines.join('\n')}\nSee README.md, "Configuration".`);
  }
  cached = parsed.data;
  return cached;
}

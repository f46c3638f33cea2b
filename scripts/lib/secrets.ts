import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSigningKeyPem } from '../../server/ledger/signer';

export interface DemoSecrets {
  readonly NEXTAUTH_SECRET: string;
  readonly LEDGER_SIGNING_KEY: string;
  readonly demoPassword: string;
}

/** Fresh random secrets: a session secret, a log-signing key and a demo password. */
export function generateSecrets(): DemoSecrets {
  return {
    NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
    LEDGER_SIGNING_KEY: generateSigningKeyPem(),
    // Long, random and readable aloud; never stored in the repository.
    demoPassword: `demo-${randomBytes(9).toString('base64url')}`,
  };
}

/**
 * The demo database's secrets, generated on first start and kept beside its data in `.data/` (which
 * git ignores), so that a restart keeps sessions, the log's key and the printed password valid.
 * A real deployment passes NEXTAUTH_SECRET and LEDGER_SIGNING_KEY in its environment instead.
 */
export function loadOrCreateDemoSecrets(dataDir: string): DemoSecrets {
  const file = path.join(dataDir, 'demo-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets = generateSecrets();
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

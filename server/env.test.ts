import { describe, expect, it } from 'vitest';
import { configurationProblems, envFor } from './env';

const valid = {
  DATABASE_URL: 'postgresql://registry@127.0.0.1:5432/registry',
  NEXTAUTH_SECRET: 'x'.repeat(32),
  NEXTAUTH_URL: 'http://localhost:3000',
  LEDGER_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----',
};

describe('the configuration, checked at start-up', () => {
  it('accepts a complete one', () => {
    expect(configurationProblems(valid)).toBeNull();
  });

  it('names every variable that is wrong, and says what it must be', () => {
    const problems = configurationProblems({ ...valid, DATABASE_URL: 'mysql://x', NEXTAUTH_SECRET: 'short', COMPLIANCE_SCHEDULE: 'hourly' });
    expect(problems).toContain('DATABASE_URL: DATABASE_URL must be a postgresql:// connection URL');
    expect(problems).toContain('NEXTAUTH_SECRET: NEXTAUTH_SECRET must be at least 32 characters');
    expect(problems).toMatch(/COMPLIANCE_SCHEDULE: COMPLIANCE_SCHEDULE must be a crontab pattern of five fields/);
    expect(problems).toContain('See README.md, "Configuration".');
  });

  it('refuses a variable of an earlier release rather than ignore it, naming its replacement', () => {
    expect(configurationProblems({ ...valid, RESERVATION_EXPIRY_INTERVAL_SECONDS: '60' })).toContain('RESERVATION_EXPIRY_INTERVAL_SECONDS is no longer read: set RESERVATION_EXPIRY_SCHEDULE instead');
  });

  it('reads a schedule as a crontab pattern, and "off" as none', () => {
    expect(envFor(['COMPLIANCE_SCHEDULE', 'RESERVATION_EXPIRY_SCHEDULE'], { COMPLIANCE_SCHEDULE: 'off' })).toEqual({ COMPLIANCE_SCHEDULE: null, RESERVATION_EXPIRY_SCHEDULE: '* * * * *' });
  });

  it('gives a command-line script only what it needs, with the same messages', () => {
    expect(envFor(['DATABASE_URL'], { DATABASE_URL: valid.DATABASE_URL })).toEqual({ DATABASE_URL: valid.DATABASE_URL });
    expect(() => envFor(['DATABASE_URL', 'LEDGER_SIGNING_KEY'], {})).toThrow(/DATABASE_URL: .*\n.*LEDGER_SIGNING_KEY: /);
  });
});

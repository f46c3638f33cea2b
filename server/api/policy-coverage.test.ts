import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../access/policy';
import type { CurrentUser } from '../auth/session-store';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { appRouter, createCaller } from './root';
import type { Context } from './trpc';

/**
 * Every procedure × every role, through the real router and middleware. The expected table below is
 * written out by hand, apart from the policy module: a procedure without a declared policy, a
 * procedure missing from this table, or a role admitted where the table does not admit it fails.
 */
type Column = (typeof ROLES)[number] | 'NO_GRANTS';
const ALL: readonly Column[] = [...ROLES, 'NO_GRANTS'];
const BUSINESS_READERS: readonly Column[] = ['REGISTRY_ADMIN', 'SECTION_ADMIN', 'ACCOUNT_HOLDER', 'VIEWER'];
const INITIATORS: readonly Column[] = ['REGISTRY_ADMIN', 'SECTION_ADMIN', 'ACCOUNT_HOLDER'];
const ADMINISTRATORS: readonly Column[] = ['SYSTEM_ADMIN', 'REGISTRY_ADMIN', 'SECTION_ADMIN'];

const EXPECTED: Record<string, readonly Column[]> = {
  'account.list': BUSINESS_READERS,
  'account.get': BUSINESS_READERS,
  'account.lookup': INITIATORS,
  'account.setStatus': ['REGISTRY_ADMIN', 'SECTION_ADMIN'],
  'transfer.submit': INITIATORS,
  'me.get': ALL,
  'me.removePasskey': ALL,
  'profile.get': ALL,
  'profile.requestChange': ALL,
  'profile.pending': ADMINISTRATORS,
  'profile.decide': ['REGISTRY_ADMIN', 'SECTION_ADMIN'],
  'users.anonymise': ['REGISTRY_ADMIN'],
  'apiClients.list': ['REGISTRY_ADMIN'],
  'apiClients.register': ['REGISTRY_ADMIN'],
  'apiClients.revoke': ['REGISTRY_ADMIN'],
  'users.list': ADMINISTRATORS,
  'users.credentialLog': ['SYSTEM_ADMIN', 'REGISTRY_ADMIN'],
  'users.get': ADMINISTRATORS,
  'users.create': ADMINISTRATORS,
  'users.sendEnrollmentLink': ADMINISTRATORS,
  'users.recordIdentityCheck': ['SYSTEM_ADMIN', 'REGISTRY_ADMIN'],
  'users.setAccessSuspended': ['SYSTEM_ADMIN', 'REGISTRY_ADMIN'],
  'grants.create': ADMINISTRATORS,
  'grants.setSuspended': ADMINISTRATORS,
  'grants.revoke': ADMINISTRATORS,
  'impersonation.start': ['REGISTRY_ADMIN'],
  'impersonation.stop': ALL,
  'rules.overview': ['REGISTRY_ADMIN', 'SECTION_ADMIN'],
  'rules.configure': ['REGISTRY_ADMIN', 'SECTION_ADMIN'],
  'rules.suspend': ['REGISTRY_ADMIN'],
  'rules.lift': ['REGISTRY_ADMIN'],
  'rules.correct': ['REGISTRY_ADMIN'],
  'rules.authorize': ['REGISTRY_ADMIN', 'SECTION_ADMIN'],
  'rules.authorizableSeries': ['REGISTRY_ADMIN', 'SECTION_ADMIN'],
  'rules.answer': INITIATORS,
  'compliance.overview': ['REGISTRY_ADMIN', 'SECTION_ADMIN'],
  'compliance.report': ['REGISTRY_ADMIN', 'SECTION_ADMIN'],
  'compliance.run': ['REGISTRY_ADMIN'],
};

/** Business functions: a system administrator must reach none of them (A6R-50). */
const BUSINESS = ['account.list', 'account.get', 'account.lookup', 'account.setStatus', 'transfer.submit', 'impersonation.start', 'rules.overview', 'rules.correct', 'rules.answer', 'compliance.overview', 'compliance.run'];

const NOW = new Date('2026-11-22T10:00:00Z');

function userWith(column: Column, stepUpAt: Date | null): CurrentUser {
  const grants =
    column === 'NO_GRANTS'
      ? []
      : [{ role: column, sectionId: column === 'SECTION_ADMIN' ? 'CHE' : null, accountId: ['ACCOUNT_HOLDER', 'VIEWER', 'EXTERNAL_SYSTEM'].includes(column) ? 'CHE-200-0001' : null }];
  return { sessionId: `s-${column}`, userId: `u-${column}`, email: `${column.toLowerCase()}@example.test`, name: column, secondFactorVerified: true, hasPasskey: true, grants, stepUpAt, actingAs: null };
}

interface Procedure {
  _def: { meta?: { policy?: string }; type: string };
}

const procedures = appRouter._def.procedures as unknown as Record<string, Procedure>;

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('registry_policy');
});

afterAll(async () => {
  await database?.drop();
});

function context(user: CurrentUser | null): Context {
  const ledger = database.ledger({ now: () => NOW });
  return { db: database.db, user, headers: new Headers(), ledger: () => ledger, mail: () => ({ mailer: { send: () => Promise.reject(new Error('no mail in this test')) }, baseUrl: 'http://localhost' }), now: () => NOW };
}

/** Calls a procedure by its path with no input; returns the tRPC error code, or 'OK'. */
async function outcome(path: string, user: CurrentUser | null): Promise<{ code: string; stepUp: boolean }> {
  const caller = createCaller(context(user)) as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
  const [router, name] = path.split('.') as [string, string];
  const call = caller[router]?.[name];
  if (!call) throw new Error(`no caller for ${path}`);
  try {
    await call(undefined);
    return { code: 'OK', stepUp: false };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { code: error.code, stepUp: error.cause?.message === 'step-up required' };
  }
}

describe('every procedure declares its policy', () => {
  it('has a policy in its meta, and an expectation in this test', () => {
    const paths = Object.keys(procedures).sort();
    expect(paths.length).toBeGreaterThan(10);
    const withoutPolicy = paths.filter((p) => typeof procedures[p]?._def.meta?.policy !== 'string');
    expect(withoutPolicy, 'procedures without a declared policy').toEqual([]);
    expect(paths).toEqual(Object.keys(EXPECTED).sort());
  });
});

describe('procedures × roles', () => {
  const paths = Object.keys(EXPECTED);
  for (const path of paths) {
    it(`${path}: admits exactly ${EXPECTED[path]?.join(', ')}`, async () => {
      const allowed = new Set(EXPECTED[path]);
      const decisions: Record<string, string> = {};
      for (const column of ALL) {
        const { code } = await outcome(path, userWith(column, NOW));
        const admitted = code !== 'FORBIDDEN' && code !== 'UNAUTHORIZED';
        decisions[column] = admitted ? 'admitted' : 'refused';
        expect({ column, admitted }, `${path} for ${column} answered ${code}`).toEqual({ column, admitted: allowed.has(column) });
      }
      expect((await outcome(path, null)).code, `${path} signed out`).toBe('UNAUTHORIZED');
      const halfSignedIn = { ...userWith('REGISTRY_ADMIN', NOW), secondFactorVerified: false };
      expect((await outcome(path, halfSignedIn)).code, `${path} before the passkey step`).toBe('UNAUTHORIZED');
      expect(Object.values(decisions).length).toBe(ALL.length);
    });
  }

  it('gives a system administrator no business function (A6R-50)', async () => {
    for (const path of BUSINESS) expect((await outcome(path, userWith('SYSTEM_ADMIN', NOW))).code, path).toBe('FORBIDDEN');
  });

  it('asks elevated users for a fresh passkey confirmation before sensitive acts (A6R-7)', async () => {
    const stale = new Date(NOW.getTime() - 6 * 60 * 1000);
    for (const path of ['users.create', 'users.sendEnrollmentLink', 'users.anonymise', 'apiClients.register', 'apiClients.revoke', 'grants.create', 'grants.setSuspended', 'grants.revoke', 'impersonation.start', 'users.setAccessSuspended', 'rules.configure', 'rules.suspend', 'rules.lift', 'rules.correct', 'rules.authorize', 'account.setStatus']) {
      const fresh = await outcome(path, userWith('REGISTRY_ADMIN', NOW));
      expect(fresh.code, `${path} with a fresh confirmation`).toBe('BAD_REQUEST');
      for (const stepUpAt of [null, stale]) {
        const result = await outcome(path, userWith('REGISTRY_ADMIN', stepUpAt));
        expect(result, `${path} with confirmation at ${String(stepUpAt)}`).toEqual({ code: 'FORBIDDEN', stepUp: true });
      }
    }
    // Not sensitive: no confirmation asked.
    expect((await outcome('account.list', userWith('REGISTRY_ADMIN', null))).code).toBe('OK');
  });

  it('refuses acts on one\'s own credentials while impersonating', async () => {
    const impersonating: CurrentUser = { ...userWith('ACCOUNT_HOLDER', NOW), userId: 'u-admin', actingAs: { userId: 'u-holder', name: 'Holder', endsAt: new Date(NOW.getTime() + 60_000) } };
    expect((await outcome('me.removePasskey', impersonating)).code).toBe('FORBIDDEN');
    expect((await outcome('impersonation.start', impersonating)).code).toBe('FORBIDDEN');
    expect((await outcome('account.list', impersonating)).code).toBe('OK');
  });
});

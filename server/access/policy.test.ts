import { describe, expect, it } from 'vitest';
import { actorWithin, grantCovers, withinLimit } from '../ledger/approach-scope';
import type { Actor, ActorGrant } from '../ledger/types';
import { scopeCoversSection, type ReadScope } from '../ledger/authority';
import { approachLimitProblem, grantShapeProblem, mayAdministerGrant, mayReadAccount, mayReadUser, readScope, type GrantScope, type TargetGrant } from './policy';

/** The policy's decisions about grants limited to cooperative approaches (A6R-46), as tables. */

const person = (...grants: ActorGrant[]): Actor => ({ userId: 'u-someone', impersonatorId: null, grants });
const registryAdmin = person({ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null });
const ghanaAdmin = person({ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null });
const ghanaAdminCa1 = person({ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null, cooperativeApproachIds: ['CA0001'] });
const ghanaAdminCa12 = person({ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null, cooperativeApproachIds: ['CA0001', 'CA0002'] });

const holderGrant = (accountApproachId: string | null, cooperativeApproachIds: string[], accountSectionId: string | null = 'GHA'): GrantScope => ({
  role: 'ACCOUNT_HOLDER',
  sectionId: null,
  accountId: 'GHA-200-0001',
  cooperativeApproachIds,
  accountSectionId,
  accountApproachId,
});

describe('grantCovers: which acts a grant counts for', () => {
  const unlimited: ActorGrant = { role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'A' };
  const ca1: ActorGrant = { ...unlimited, cooperativeApproachIds: ['CA0001'] };
  const ca12: ActorGrant = { ...unlimited, cooperativeApproachIds: ['CA0001', 'CA0002'] };
  const table: [string, ActorGrant, (string | null)[], boolean][] = [
    ['unlimited, any approach', unlimited, ['CA0002'], true],
    ['unlimited, no approach', unlimited, [null], true],
    ['unlimited, nothing concerned', unlimited, [], true],
    ['limited, its approach', ca1, ['CA0001'], true],
    ['limited, another approach', ca1, ['CA0002'], false],
    ['limited, an account of no approach', ca1, [null], false],
    ['limited, its approach and another', ca1, ['CA0001', 'CA0002'], false],
    ['limited to two, both', ca12, ['CA0001', 'CA0002'], true],
    ['an empty limit is no limit', { ...unlimited, cooperativeApproachIds: [] }, ['CA0009'], true],
  ];
  it.each(table)('%s', (_, grant, approaches, expected) => {
    expect(grantCovers(grant, approaches)).toBe(expected);
  });

  it('leaves out only the limited grants that do not cover the act, and returns the actor itself when none is', () => {
    const both = person({ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'A', cooperativeApproachIds: ['CA0001'] }, { role: 'VIEWER', sectionId: null, accountId: 'B' });
    expect(actorWithin(both, ['CA0002']).grants).toEqual([{ role: 'VIEWER', sectionId: null, accountId: 'B' }]);
    expect(actorWithin(both, ['CA0001'])).toBe(both);
  });

  it('lets an administrator grant only within his own limit', () => {
    expect([withinLimit([], []), withinLimit([], ['CA0001']), withinLimit(['CA0001'], []), withinLimit(['CA0001'], ['CA0001']), withinLimit(['CA0001'], ['CA0001', 'CA0002'])]).toEqual([true, true, false, true, false]);
  });
});

describe('mayAdministerGrant with approach limits', () => {
  const table: [string, Actor, GrantScope, boolean][] = [
    ['registry administrator, any limit', registryAdmin, holderGrant('CA0002', []), true],
    ['section administrator, unlimited grant on an account of his section', ghanaAdmin, holderGrant('CA0002', []), true],
    ['section administrator, limited grant', ghanaAdmin, holderGrant('CA0001', ['CA0001']), true],
    ['limited section administrator, grant limited to his approach', ghanaAdminCa1, holderGrant('CA0001', ['CA0001']), true],
    ['limited section administrator, unlimited grant', ghanaAdminCa1, holderGrant('CA0001', []), false],
    ['limited section administrator, account of another approach', ghanaAdminCa1, holderGrant('CA0002', ['CA0002']), false],
    ['limited section administrator, account of no approach', ghanaAdminCa1, holderGrant(null, ['CA0001']), false],
    ['limited section administrator, grant beyond his limit', ghanaAdminCa1, holderGrant('CA0001', ['CA0001', 'CA0002']), false],
    ['section administrator limited to two, grant limited to one', ghanaAdminCa12, holderGrant('CA0002', ['CA0002']), true],
    ['limited section administrator, another section', ghanaAdminCa1, holderGrant('CA0001', ['CA0001'], 'CHE'), false],
  ];
  it.each(table)('%s', (_, subject, scope, expected) => {
    expect(mayAdministerGrant(subject, scope)).toBe(expected);
  });

  it('refuses a limit on registry-wide roles, and a limit that could never count', () => {
    expect(grantShapeProblem({ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null, cooperativeApproachIds: ['CA0001'] })).toMatch(/not limited to cooperative approaches/);
    expect(grantShapeProblem({ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null, cooperativeApproachIds: ['CA0001'] })).toBeNull();
    expect(approachLimitProblem(holderGrant('CA0002', ['CA0001']))).toMatch(/belongs to cooperative approach CA0002/);
    expect(approachLimitProblem(holderGrant(null, ['CA0001']))).toMatch(/belongs to no cooperative approach/);
    expect(approachLimitProblem(holderGrant('CA0001', ['CA0001']))).toBeNull();
    expect(approachLimitProblem(holderGrant(null, []))).toBeNull();
  });
});

describe('mayReadUser with approach limits', () => {
  const onAccount = (accountApproachId: string | null, accountSectionId = 'GHA'): TargetGrant => ({ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200-0001', accountSectionId, accountApproachId });
  const table: [string, Actor, TargetGrant[], boolean][] = [
    ['unlimited section administrator, holder in his section', ghanaAdmin, [onAccount('CA0002')], true],
    ['limited section administrator, holder of an account of his approach', ghanaAdminCa1, [onAccount('CA0001')], true],
    ['limited section administrator, holder of an account of another approach', ghanaAdminCa1, [onAccount('CA0002')], false],
    ['limited section administrator, holder of an account of no approach', ghanaAdminCa1, [onAccount(null)], false],
    ['limited section administrator, one grant of each', ghanaAdminCa1, [onAccount('CA0002'), onAccount('CA0001')], true],
    ['limited section administrator, a fellow section administrator', ghanaAdminCa1, [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null, accountSectionId: null }], true],
    ['limited section administrator, a user without grants (to authorize)', ghanaAdminCa1, [], true],
    ['limited section administrator, another section', ghanaAdminCa1, [onAccount('CA0001', 'CHE')], false],
  ];
  it.each(table)('%s', (_, subject, grants, expected) => {
    expect(mayReadUser(subject, { grants })).toBe(expected);
  });
});

describe('readScope: whose data a reader reads', () => {
  const actor = (...grants: ActorGrant[]): Actor => ({ userId: 'u', impersonatorId: null, grants });
  it('gives a registry administrator the whole registry, and nobody else', () => {
    expect(readScope(actor({ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }))).toEqual({ kind: 'REGISTRY' });
    expect(readScope(actor({ role: 'SYSTEM_ADMIN', sectionId: null, accountId: null }))).toEqual({ kind: 'LIMITED', sectionIds: [], accountIds: [], limited: [] });
  });
  it("gives a section administrator his sections, and a holder or viewer their accounts, never another Party's", () => {
    const scope = readScope(actor({ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }, { role: 'VIEWER', sectionId: null, accountId: 'CHE-200-0001' }));
    expect(scope).toEqual({ kind: 'LIMITED', sectionIds: ['GHA'], accountIds: ['CHE-200-0001'], limited: [] });
    const ghanaAdmin = actor({ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null });
    expect(mayReadAccount(ghanaAdmin, { id: 'GHA-200-0001', sectionId: 'GHA', cooperativeApproachId: null })).toBe(true);
    expect(mayReadAccount(ghanaAdmin, { id: 'CHE-200-0001', sectionId: 'CHE', cooperativeApproachId: null })).toBe(false);
    expect(mayReadAccount(ghanaAdmin, { id: 'IR-900-0001', sectionId: null, cooperativeApproachId: null })).toBe(false);
  });
  it("gives a section administrator limited to cooperative approaches no whole section, only the section's accounts of those approaches", () => {
    const limited = actor({ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null, cooperativeApproachIds: ['CA1'] });
    expect(readScope(limited)).toEqual({ kind: 'LIMITED', sectionIds: [], accountIds: [], limited: [{ sectionId: 'GHA', accountId: null, approachIds: ['CA1'] }] });
    expect(scopeCoversSection(readScope(limited), 'GHA')).toBe(false);
    expect(mayReadAccount(limited, { id: 'GHA-200-0011', sectionId: 'GHA', cooperativeApproachId: 'CA1' })).toBe(true);
    expect(mayReadAccount(limited, { id: 'GHA-200-0012', sectionId: 'GHA', cooperativeApproachId: 'CA2' })).toBe(false);
    expect(mayReadAccount(limited, { id: 'GHA-200-0001', sectionId: 'GHA', cooperativeApproachId: null })).toBe(false);
    expect(mayReadAccount(limited, { id: 'CHE-200-0011', sectionId: 'CHE', cooperativeApproachId: 'CA1' })).toBe(false);
  });
  it('gives an external system the account or section its grants name, and no more', () => {
    const system = actor({ role: 'EXTERNAL_SYSTEM', sectionId: 'CHE', accountId: null }, { role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200-0001' });
    expect(mayReadAccount(system, { id: 'CHE-200-0001', sectionId: 'CHE', cooperativeApproachId: null })).toBe(true);
    expect(mayReadAccount(system, { id: 'GHA-200-0001', sectionId: 'GHA', cooperativeApproachId: null })).toBe(true);
    expect(mayReadAccount(system, { id: 'GHA-200-0002', sectionId: 'GHA', cooperativeApproachId: null })).toBe(false);
  });
  it('cannot be made up: a read scope is only what readScope returns for an actor', () => {
    // @ts-expect-error a literal lacks the mark only the authority module sets
    const madeUp: ReadScope = { kind: 'REGISTRY' };
    expect(madeUp.kind).toBe('REGISTRY');
  });
});

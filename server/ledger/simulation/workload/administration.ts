import type { AccountStatus, AccountType } from '../../../db/generated/enums';
import type { AccountDefinition, Actor } from '../../types';
import type { Step } from '../steps';
import { ADMIN, APPROACHES, holderOf, impersonating, NOBODY, SECTION_ADMINS, SECTIONS, SYSTEM_ADMIN, VIEWER } from '../world';
import type { Workload } from './workload';

/** The registry's administration: account statuses, accounts opened, reference data defined, and their refusals. */

export function statusChange(w: Workload): Step | null {
  const changeable = w.accountsWhere((a) => a.status !== 'TERMINATED' && (w.probes.has('arrival-proxy-status-unchecked') || a.type !== 'PROXY'));
  if (changeable.length === 0) return null;
  const idle = changeable.filter((a) => a.status !== 'ACTIVE');
  const account = idle.length > 0 && w.rng.chance(0.6) ? w.rng.pick(idle) : w.rng.pick(changeable);
  const dynamic = !w.plan.some((p) => p.id === account.id);
  const to: AccountStatus =
    account.status === 'ACTIVE'
      ? w.rng.weighted<AccountStatus>([
          ['SUSPENDED', 50],
          ['FROZEN', 15],
          ['RESTRICTED', 20],
          ['ACTIVE', 5],
          ['INITIAL', 5],
          ['TERMINATED', dynamic ? 5 : 0],
        ])
      : w.rng.weighted<AccountStatus>([
          ['ACTIVE', 80],
          ['SUSPENDED', 8],
          ['FROZEN', 6],
          ['TERMINATED', dynamic ? 6 : 0],
        ]);
  const adminOnly = to === 'FROZEN' || to === 'RESTRICTED' || account.status === 'FROZEN' || account.status === 'RESTRICTED';
  const sectionAdmin = account.sectionId ? SECTION_ADMINS.get(account.sectionId) : undefined;
  const right = adminOnly || !sectionAdmin ? ADMIN : w.rng.chance(0.7) ? sectionAdmin : ADMIN;
  const actor = w.rng.chance(0.7) ? right : w.rng.pick([...SECTION_ADMINS.values(), w.holders.get(account.id) ?? VIEWER, VIEWER, SYSTEM_ADMIN, ADMIN, impersonating(w.holders.get(account.id) ?? NOBODY)]);
  return w.propose(`status ${account.status.toLowerCase()} → ${to.toLowerCase()}`, actor, { kind: 'SET_ACCOUNT_STATUS', accountId: account.id, status: to });
}

export function openAccount(w: Workload): Step | null {
  const section = w.rng.pick(SECTIONS);
  const sectionAdmin = SECTION_ADMINS.get(section) as Actor;
  const definition = (patch: Partial<AccountDefinition>): AccountDefinition => ({
    id: `${section}-HLD-${10 + w.dynamicAccounts}`,
    registry: 'INTERNATIONAL',
    name: 'Opened during the simulation',
    type: 'HOLDING',
    holderName: 'A holder',
    sectionId: section,
    cooperativeApproachId: null,
    ...patch,
  });
  const open = (label: string, actor: Actor, account: AccountDefinition) => w.propose(label, actor, { kind: 'OPEN_ACCOUNT', account });
  const variant = w.rng.int(w.dynamicAccounts < 12 ? 10 : 7);
  switch (variant) {
    case 0:
      return open('open account refused: exists', sectionAdmin, definition({ id: `${section}-HLD-1` }));
    case 1:
      return open('open account refused: invalid', sectionAdmin, definition({ id: w.rng.pick(['gha-hld-9', 'AB', '-X-1', 'A B C']) }));
    case 2:
      return open('open account refused: invalid', ADMIN, definition({ name: ' ', holderName: '' }));
    case 3:
      return open('open account refused: not allowed', w.rng.pick([VIEWER, holderOf(`${section}-HLD-1`), SECTION_ADMINS.get(w.rng.pick(SECTIONS.filter((s) => s !== section))) as Actor]), definition({}));
    case 4:
      return open('open account refused: service account', sectionAdmin, definition({ type: w.rng.pick<AccountType>(['ADMIN_HOLDING', 'PROXY', 'PENDING']), sectionId: w.rng.chance(0.5) ? null : section }));
    case 5:
      return open('open account refused: unknown section', w.rng.pick([ADMIN, sectionAdmin]), definition({ sectionId: 'ZZZ' }));
    case 6:
      return open('open account refused: unknown approach', ADMIN, definition({ cooperativeApproachId: 'CA-404' }));
    default: {
      w.dynamicAccounts++;
      if (variant === 9) return open('open account', ADMIN, definition({ id: `REG-AHL-${10 + w.dynamicAccounts}`, type: 'ADMIN_HOLDING', sectionId: null }));
      return open('open account', sectionAdmin, definition({ cooperativeApproachId: w.rng.chance(0.3) ? w.rng.pick(APPROACHES) : null }));
    }
  }
}

export function defineReference(w: Workload): Step | null {
  const variant = w.rng.int(5);
  const define = (label: string, actor: Actor, reference: { type: 'SECTION' | 'COOPERATIVE_APPROACH'; id: string; name: string }) => w.propose(label, actor, { kind: 'DEFINE_REFERENCE', reference });
  if (variant === 0 && w.dynamicApproaches < 5) return define('define approach', ADMIN, { type: 'COOPERATIVE_APPROACH', id: `CA-${10 + w.dynamicApproaches++}`, name: 'Another approach' });
  if (variant === 1) return define('define refused: exists', ADMIN, { type: w.rng.chance(0.5) ? 'SECTION' : 'COOPERATIVE_APPROACH', id: w.rng.chance(0.5) ? 'GHA' : 'CA-1', name: 'Again' });
  if (variant === 2) return define('define refused: invalid', ADMIN, { type: 'SECTION', id: w.rng.pick(['ghana', 'GH', 'G1A']), name: 'Bad' });
  if (variant === 3) return define('define refused: not allowed', w.rng.pick([SECTION_ADMINS.get('GHA') as Actor, VIEWER, SYSTEM_ADMIN]), { type: 'COOPERATIVE_APPROACH', id: 'CA-99', name: 'X' });
  return define('define refused: several', VIEWER, { type: 'SECTION', id: 'gha', name: '' });
}


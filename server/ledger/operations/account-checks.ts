import { refusal, type Refusal } from '../check-codes';
import type { BuiltInRules } from '../rules/built-in';
import type { AccountFacts, Actor } from '../types';

/** The 2xxx checks of an account units leave, by the built-in rules in force. */
export function transferringChecks(rules: BuiltInRules, actor: Actor, accountId: string, account: AccountFacts | undefined): Refusal[] {
  if (!account) return [refusal('TRANSFERRING_ACCOUNT_NOT_FOUND', { accountId })];
  const out: Refusal[] = [];
  if (!rules.accountStatus.statusAllows(account.status, actor)) out.push(refusal('TRANSFERRING_ACCOUNT_NOT_OPERATIONAL', { accountId, status: account.status }));
  if (!rules.accountType.canTransferFrom(account.type)) out.push(refusal('TRANSFERRING_ACCOUNT_TYPE_CANNOT_TRANSFER', { accountId, type: account.type }));
  if (!rules.initiation.mayInitiateOn(actor, account)) out.push(refusal('INITIATOR_NOT_ALLOWED_ON_TRANSFERRING_ACCOUNT', { accountId, userId: actor.userId }));
  return out;
}

/** The 3xxx checks of an account units arrive in. `acceptsType` decides the type rule for the operation. */
export function acquiringChecks(rules: BuiltInRules, actor: Actor, accountId: string, account: AccountFacts | undefined, fromAccountId: string | null, acceptsType: (account: AccountFacts) => boolean = (a) => rules.accountType.canAcquire(a.type)): Refusal[] {
  if (!account) return [refusal('ACQUIRING_ACCOUNT_NOT_FOUND', { accountId })];
  const out: Refusal[] = [];
  if (!rules.accountStatus.statusAllows(account.status, actor)) out.push(refusal('ACQUIRING_ACCOUNT_NOT_OPERATIONAL', { accountId, status: account.status }));
  if (!acceptsType(account)) out.push(refusal('ACQUIRING_ACCOUNT_TYPE_CANNOT_ACQUIRE', { accountId, type: account.type }));
  if (fromAccountId === accountId) out.push(refusal('ACQUIRING_ACCOUNT_SAME_AS_TRANSFERRING', { accountId }));
  return out;
}

import { AccountStatus, AccountType, Registry } from '../../db/generated/enums';
import { mayChangeStatus, mayOpenAccount } from '../account-rules';
import { isRegistryAdmin } from '../authority';
import { builtInRulesAt } from '../rules/built-in';
import { refusal, type Refusal } from '../check-codes';
import { operationsOf, NO_CHANGES, type Changes, type Plan } from '../plan';
import { prepared, type Sql } from '../sql';
import type { Actor, DefineReferenceProposal, LedgerContext, OpenAccountProposal, SetAccountStatusProposal } from '../types';
import { lockAccounts } from './lock-accounts';

const ACCOUNT_ID = /^[A-Z0-9][A-Z0-9-]{2,63}$/;
const isOneOf = (values: Record<string, string>, value: unknown): boolean => typeof value === 'string' && Object.values(values).includes(value);

/**
 * Opens an account, as a configuration change recorded and logged like any transaction (A6R-44). The
 * account starts in the Initial status (A6R-41), which takes part in nothing until it is activated.
 */
export async function openAccount(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: OpenAccountProposal): Promise<Plan> {
  const a = proposal.account;
  const { chain } = await lockAccounts(sql, [a.id], []);
  // Locks the number even though no account has it yet, so that two openings of it cannot both pass;
  // the existence check comes after the lock for the same reason.
  await prepared(sql, 'SELECT pg_advisory_xact_lock(6274200, hashtext($1))', [a.id]);
  const existing = await prepared(sql, 'SELECT 1 FROM "Account" WHERE id = $1', [a.id]);
  const createdAt = ctx.now();
  const refusals: Refusal[] = [];
  if ((existing.rowCount ?? 0) > 0) refusals.push(refusal('ACCOUNT_ALREADY_EXISTS', { accountId: a.id }));
  if (!ACCOUNT_ID.test(a.id)) refusals.push(refusal('ACCOUNT_DEFINITION_INVALID', { field: 'id', value: a.id }));
  if (a.name.trim() === '' || a.holderName.trim() === '') refusals.push(refusal('ACCOUNT_DEFINITION_INVALID', { field: 'name/holderName', value: 'empty' }));
  // The types name the values: these guard callers that bypass them (the API validates first).
  if (!isOneOf(Registry, a.registry)) refusals.push(refusal('ACCOUNT_DEFINITION_INVALID', { field: 'registry', value: String(a.registry) }));
  if (!isOneOf(AccountType, a.type)) refusals.push(refusal('ACCOUNT_DEFINITION_INVALID', { field: 'type', value: String(a.type) }));
  else if (!mayOpenAccount(actor, a.sectionId, a.type)) refusals.push(refusal('NOT_ALLOWED_TO_OPEN_ACCOUNT', { sectionId: a.sectionId, type: a.type, userId: actor.userId }));
  if (a.sectionId !== null) {
    const section = await prepared(sql, 'SELECT 1 FROM "Section" WHERE id = $1', [a.sectionId]);
    if (section.rowCount === 0) refusals.push(refusal('ACCOUNT_DEFINITION_INVALID', { field: 'sectionId', value: a.sectionId }));
  }
  if (a.cooperativeApproachId !== null) {
    const approach = await prepared(sql, 'SELECT 1 FROM "CooperativeApproach" WHERE id = $1', [a.cooperativeApproachId]);
    if (approach.rowCount === 0) refusals.push(refusal('ACCOUNT_DEFINITION_INVALID', { field: 'cooperativeApproachId', value: a.cooperativeApproachId }));
  }
  if (refusals.length > 0) return { createdAt, refusals };
  const changes: Changes = { ...NO_CHANGES, openAccounts: [{ ...a, status: 'INITIAL' }] };
  return { createdAt, chain, quantity: 0n, changes, operations: operationsOf(changes) };
}

/** Changes an account's status under the rules of A6R-41 (see mayChangeStatus). */
export async function setAccountStatus(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: SetAccountStatusProposal): Promise<Plan> {
  const { accounts, chain } = await lockAccounts(sql, [proposal.accountId], []);
  const createdAt = ctx.now();
  const account = accounts.get(proposal.accountId);
  if (!account) return { createdAt, refusals: [refusal('TRANSFERRING_ACCOUNT_NOT_FOUND', { accountId: proposal.accountId })] };
  if (!isOneOf(AccountStatus, proposal.status)) {
    return { createdAt, refusals: [refusal('STATUS_CHANGE_NOT_ALLOWED', { accountId: account.id, from: account.status, to: String(proposal.status), reason: 'no such status' })] };
  }
  if (!mayChangeStatus(actor, account, proposal.status)) {
    return { createdAt, refusals: [refusal('STATUS_CHANGE_NOT_ALLOWED', { accountId: account.id, from: account.status, to: proposal.status, userId: actor.userId })] };
  }
  // Terminated is final: units that could still move would be stranded. The account's lock keeps
  // units from arriving meanwhile. (Units in an end-use account never move again and stay recorded.)
  if (proposal.status === 'TERMINATED' && builtInRulesAt(ctx, createdAt).accountType.canTransferFrom(account.type)) {
    const held = await prepared(sql, 'SELECT 1 FROM "UnitBlock" WHERE "accountId" = $1 AND "closedByTxId" IS NULL LIMIT 1', [account.id]);
    if ((held.rowCount ?? 0) > 0) return { createdAt, refusals: [refusal('STATUS_CHANGE_NOT_ALLOWED', { accountId: account.id, from: account.status, to: proposal.status, reason: 'the account holds units' })] };
  }
  const changes: Changes = { ...NO_CHANGES, statusChanges: [{ accountId: account.id, from: account.status, to: proposal.status }] };
  return { createdAt, chain, quantity: 0n, changes, operations: operationsOf(changes) };
}

/**
 * Adds a Party section or a cooperative approach, the reference data accounts and units point to.
 * Registry administrators only; logged like every configuration change, so replay rebuilds it too.
 */
export async function defineReference(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: DefineReferenceProposal): Promise<Plan> {
  const r = proposal.reference;
  const { chain } = await lockAccounts(sql, [], []);
  const key = r.type === 'NOMENCLATURE_ENTRY' ? `${r.type}:${r.nomenclature}:${r.id}` : `${r.type}:${r.id}`;
  await prepared(sql, 'SELECT pg_advisory_xact_lock(6274201, hashtext($1))', [key]);
  const createdAt = ctx.now();
  const refusals: Refusal[] = [];
  if (!isRegistryAdmin(actor)) refusals.push(refusal('NOT_ALLOWED_TO_CONFIGURE', { reference: r.type, userId: actor.userId }));
  const valid =
    r.type === 'NOMENCLATURE_ENTRY'
      ? /^[a-z0-9][a-z0-9-]{0,63}$/.test(r.nomenclature) && /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(r.id)
      : r.type === 'SECTION'
        ? /^[A-Z]{3}$/.test(r.id)
        : /^[A-Z0-9][A-Z0-9-]{1,31}$/.test(r.id);
  if (!valid || r.name.trim() === '') refusals.push(refusal('REFERENCE_INVALID', { type: r.type, id: r.id }));
  const existing =
    r.type === 'NOMENCLATURE_ENTRY'
      ? await prepared(sql, 'SELECT 1 FROM "NomenclatureEntry" WHERE nomenclature = $1 AND code = $2', [r.nomenclature, r.id])
      : await prepared(sql, `SELECT 1 FROM "${r.type === 'SECTION' ? 'Section' : 'CooperativeApproach'}" WHERE id = $1`, [r.id]);
  if ((existing.rowCount ?? 0) > 0) refusals.push(refusal('REFERENCE_ALREADY_EXISTS', { type: r.type, id: r.id }));
  if (refusals.length > 0) return { createdAt, refusals };
  const changes: Changes = { ...NO_CHANGES, references: [r] };
  return { createdAt, chain, quantity: 0n, changes, operations: operationsOf(changes) };
}

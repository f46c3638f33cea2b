import { defineReference, openAccount, setAccountStatus } from '../operations/account-configuration';
import { externalArrival, externalTransfer } from '../operations/external-transfers';
import { issueUnits } from '../operations/issue-units';
import { transferUnits } from '../operations/transfer-units';
import type { Plan } from '../plan';
import { administrativePlan } from '../rules';
import type { Sql } from '../sql';
import type { Actor, LedgerContext, Proposal } from '../types';

/**
 * Which operation plans which kind of proposal. Each locks what it changes, reads the clock after the
 * locks, runs its checks in order of precedence and returns refusals or its changes (server/ledger/plan.ts).
 */
export function dispatch(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: Proposal): Promise<Plan> {
  switch (proposal.kind) {
    case 'DEFINE_REFERENCE':
      return defineReference(sql, ctx, actor, proposal);
    case 'ISSUANCE':
      return issueUnits(sql, ctx, actor, proposal);
    case 'TRANSFER':
      return transferUnits(sql, ctx, actor, proposal);
    case 'EXTERNAL_TRANSFER':
      return externalTransfer(sql, ctx, actor, proposal);
    case 'EXTERNAL_ARRIVAL':
      return externalArrival(sql, ctx, actor, proposal);
    case 'OPEN_ACCOUNT':
      return openAccount(sql, ctx, actor, proposal);
    case 'SET_ACCOUNT_STATUS':
      return setAccountStatus(sql, ctx, actor, proposal);
    case 'CONFIGURE_RULE':
    case 'SUSPEND_RULE':
    case 'LIFT_SUSPENSION':
    case 'CORRECTIVE_TRANSFER':
    case 'RECORD_AUTHORIZATION':
    case 'RELEASE_RESERVATION':
    case 'REISSUE_MARKER':
      return administrativePlan(sql, ctx, actor, proposal);
  }
}

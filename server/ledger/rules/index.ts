import type { Plan } from '../plan';
import type { Sql } from '../sql';
import type { Actor, ConfigureRuleProposal, CorrectiveTransferProposal, LedgerContext, LiftSuspensionProposal, RecordAuthorizationProposal, ReissueMarkerProposal, ReleaseReservationProposal, SuspendRuleProposal } from '../types';
import { releaseReservation } from '../reservations/release-reservation';
import { recordAuthorization } from '../descriptors/record-authorization';
import { reissueMarker } from '../descriptors/reissue-marker';
import { configureRule, liftSuspension, suspendRule } from './configure-rule';
import { correctiveTransfer } from './corrective-transfer';

// What the write path needs of the rules engine, in one place.
export { applyRules, rulesChanged } from './engine';
export { writeAdministrativeRecords } from './records';

export type AdministrativeProposal = ConfigureRuleProposal | SuspendRuleProposal | LiftSuspensionProposal | CorrectiveTransferProposal | RecordAuthorizationProposal | ReleaseReservationProposal | ReissueMarkerProposal;

/** The operations of rule configuration, suspension, corrective actions and descriptor records. */
export function administrativePlan(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: AdministrativeProposal): Promise<Plan> {
  switch (proposal.kind) {
    case 'CONFIGURE_RULE':
      return configureRule(sql, ctx, actor, proposal);
    case 'SUSPEND_RULE':
      return suspendRule(sql, ctx, actor, proposal);
    case 'LIFT_SUSPENSION':
      return liftSuspension(sql, ctx, actor, proposal);
    case 'CORRECTIVE_TRANSFER':
      return correctiveTransfer(sql, ctx, actor, proposal);
    case 'RECORD_AUTHORIZATION':
      return recordAuthorization(sql, ctx, actor, proposal);
    case 'RELEASE_RESERVATION':
      return releaseReservation(sql, ctx, actor, proposal);
    case 'REISSUE_MARKER':
      return reissueMarker(sql, ctx, actor, proposal);
  }
}

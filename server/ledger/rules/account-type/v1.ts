import type { AccountType } from '../../../db/generated/enums';
import type { BuiltInRuleVersion } from '../types';

/**
 * Built-in rule "account-type", version 1 (A6R-37 (a), (b)): which account types may generate units,
 * send them and receive them. End-use accounts (use, cancellation, administrative cancellation) only
 * receive; only a registry administrator's corrective transfer takes units out of them again. The
 * proxy account neither sends nor receives internally: units leave it only when they arrive back
 * (A6R-54) and enter it only when they leave for another registry.
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const accountTypeV1: BuiltInRuleVersion = {
  name: 'account-type',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'Units are issued only into issuance and pending accounts, sent only from accounts that may send and received only by accounts that may receive.',
};

const GENERATES: ReadonlySet<AccountType> = new Set<AccountType>(['ISSUANCE', 'PENDING']);
const TRANSFERS: ReadonlySet<AccountType> = new Set<AccountType>(['ISSUANCE', 'PENDING', 'HOLDING', 'ADAPTATION_FUND', 'ADMIN_HOLDING']);
const ACQUIRES: ReadonlySet<AccountType> = new Set<AccountType>(['HOLDING', 'USE', 'CANCELLATION', 'ADMIN_CANCELLATION', 'ADMIN_HOLDING', 'ADAPTATION_FUND']);

export const canGenerateV1 = (type: AccountType): boolean => GENERATES.has(type);
export const canTransferFromV1 = (type: AccountType): boolean => TRANSFERS.has(type);
export const canAcquireV1 = (type: AccountType): boolean => ACQUIRES.has(type);

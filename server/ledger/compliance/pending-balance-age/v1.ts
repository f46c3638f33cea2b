import { onlyFields } from '../../rules/settings';
import type { ComplianceRuleVersion } from '../types';

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * Compliance rule "pending-balance-age", version 1 (mechanism paper ¶ 29): the pending account should
 * not keep balances for long: no units in a pending account for more than `maxDays` days.
 * Published: never edit this file; write v2.ts and register it in compliance/catalog.ts.
 */
export const pendingBalanceAgeV1: ComplianceRuleVersion<{ maxDays: number }> = {
  name: 'pending-balance-age',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'No units in a pending account for longer than a set number of days.',
  parseSettings(input) {
    const unknown = onlyFields(input, ['maxDays']);
    if (unknown) return { ok: false, problem: unknown };
    const days = input.maxDays;
    return typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= 3650 ? { ok: true, settings: { maxDays: days } } : { ok: false, problem: 'maxDays must be a whole number of days from 1 to 3650' };
  },
  async check(client, settings, at, scope, limit) {
    const found = await client.query<{ accountId: string; seriesId: string; firstSerial: bigint; lastSerial: bigint; createdAt: string }>(
      `SELECT b."accountId", b."seriesId", b."firstSerial", b."lastSerial", to_char(b."createdAt", ${ISO}) AS "createdAt"
       FROM "UnitBlock" b JOIN "Account" a ON a.id = b."accountId"
       WHERE a.type = 'PENDING' AND b."createdAt" <= $1::timestamp - make_interval(days => $2::int) AND (b."closedAt" IS NULL OR b."closedAt" > $1::timestamp)
         AND ($3::text[] IS NULL OR b."accountId" = ANY($3::text[]))
       ORDER BY b."createdAt", b.id LIMIT $4`,
      [at, settings.maxDays, scope.accountIds, limit],
    );
    return found.rows.map((b) => ({
      accountId: b.accountId,
      message: `units ${b.firstSerial}–${b.lastSerial} of ${b.seriesId} have been in the pending account since ${b.createdAt}, more than ${settings.maxDays} days`,
      data: { seriesId: b.seriesId, firstSerial: b.firstSerial.toString(), lastSerial: b.lastSerial.toString(), since: b.createdAt },
    }));
  },
};

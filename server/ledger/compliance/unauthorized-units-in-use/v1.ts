import { authorizationsInForce, unauthorized, type UnitRange } from '../../descriptors/coverage';
import type { AdministrativeRecordRow } from '../../rules/records';
import { onlyFields } from '../../rules/settings';
import type { ComplianceRuleVersion } from '../types';

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * Compliance rule "unauthorized-units-in-use", version 1: no unit in a use (retirement) account that
 * was not authorized for NDC use, by an authorization in force, when it arrived there. It holds by
 * construction where the rule use-authorized-units applies; it finds what came in where that rule was
 * not configured or was suspended, or by a corrective transfer.
 * Published: never edit this file; write v2.ts and register it in compliance/catalog.ts.
 */
export const unauthorizedUnitsInUseV1: ComplianceRuleVersion<Record<string, never>> = {
  name: 'unauthorized-units-in-use',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'No unit in a use account that was not authorized for NDC use when it arrived.',
  parseSettings(input) {
    const unknown = onlyFields(input, []);
    return unknown ? { ok: false, problem: unknown } : { ok: true, settings: {} };
  },
  async check(client, _settings, at, scope, limit) {
    const blocks = await client.query<{ accountId: string; seriesId: string; firstSerial: bigint; lastSerial: bigint; createdAt: string; unitType: string; cooperativeApproachId: string | null; hostParty: string; activityId: string; vintage: number }>(
      `SELECT b."accountId", b."seriesId", b."firstSerial", b."lastSerial", to_char(b."createdAt", ${ISO}) AS "createdAt", s."unitType", s."cooperativeApproachId", s."hostParty", s."activityId", s.vintage
       FROM "UnitBlock" b JOIN "Account" a ON a.id = b."accountId" JOIN "UnitSeries" s ON s.id = b."seriesId"
       WHERE a.type = 'USE' AND b."createdAt" <= $1::timestamp AND (b."closedAt" IS NULL OR b."closedAt" > $1::timestamp)
         AND ($2::text[] IS NULL OR b."accountId" = ANY($2::text[]))
       ORDER BY b."accountId", b."seriesId", b."firstSerial"`,
      [at, scope.accountIds],
    );
    if (blocks.rows.length === 0) return [];
    const records = await client.query<Pick<AdministrativeRecordRow, 'id' | 'kind' | 'subject' | 'body' | 'validFrom'>>(`SELECT id, kind, subject, body, to_char("validFrom", ${ISO}) AS "validFrom" FROM "AdministrativeRecord" WHERE kind = 'AUTHORIZATION'`);
    const findings = [];
    for (const b of blocks.rows) {
      const unit: UnitRange = { seriesId: b.seriesId, firstSerial: b.firstSerial, lastSerial: b.lastSerial, series: { unitType: b.unitType, cooperativeApproachId: b.cooperativeApproachId, hostParty: b.hostParty, activityId: b.activityId, vintage: b.vintage } };
      for (const u of unauthorized([unit], authorizationsInForce(records.rows, b.createdAt), 'NDC')) {
        findings.push({ accountId: b.accountId, message: `units ${u.firstSerial}–${u.lastSerial} of ${u.seriesId} were not authorized for NDC use when they arrived on ${b.createdAt}`, data: { seriesId: u.seriesId, firstSerial: u.firstSerial.toString(), lastSerial: u.lastSerial.toString(), arrivedAt: b.createdAt } });
        if (findings.length >= limit) return findings;
      }
    }
    return findings;
  },
};

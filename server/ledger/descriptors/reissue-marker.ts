import { mayAuthorizeFor } from '../authority';
import { refusal, type Refusal } from '../check-codes';
import { MAX_SERIAL } from '../serial';
import { lockAccounts } from '../operations/lock-accounts';
import { NO_CHANGES, operationsOf, type Changes, type Plan } from '../plan';
import { prepared, type Sql } from '../sql';
import type { Actor, LedgerContext, NewAdministrativeRecord, ReissueMarkerProposal } from '../types';

const MAX_RANGES = 1_000;
const invalid = (field: string, problem: string): Refusal => refusal('DESCRIPTOR_INVALID', { field, problem });

/**
 * Why the units of one range may not have their marker re-issued, or null: they must be marked for the
 * use already (there is something to re-issue), and no transfer to another registry may have taken any
 * of them since their latest marker, unless a corrective transfer reversed it.
 */
async function reissueProblem(sql: Sql, use: string, r: ReissueMarkerProposal['ranges'][number]): Promise<string | null> {
  const latest = await prepared<{ at: Date | null }>(
    sql,
    `SELECT max("validFrom") AS at FROM "AdministrativeRecord"
     WHERE kind = 'FIRST_TRANSFER_MARKER' AND subject = $1 AND "scopeId" = $2
       AND (body::jsonb ->> 'firstSerial')::bigint <= $4::bigint AND (body::jsonb ->> 'lastSerial')::bigint >= $3::bigint`,
    [use, r.seriesId, r.firstSerial.toString(), r.lastSerial.toString()],
  );
  const since = latest.rows[0]?.at ?? null;
  if (since === null) return 'the units have no marker for this use to re-issue';
  const away = await prepared<{ id: string }>(
    sql,
    `SELECT DISTINCT t.id FROM "UnitBlock" b
       JOIN "LedgerTransaction" t ON t.id = b."createdByTxId"
       JOIN "Account" a ON a.id = b."accountId"
      WHERE a.type = 'PROXY' AND t.kind = 'EXTERNAL_TRANSFER' AND t."createdAt" >= $4::timestamp
        AND b."seriesId" = $1 AND b."firstSerial" <= $3::bigint AND b."lastSerial" >= $2::bigint
        AND NOT EXISTS (SELECT 1 FROM "AdministrativeRecord" c WHERE c.kind = 'CORRECTION' AND c.subject = 'REVERSE' AND c."scopeId" = t.id)
      ORDER BY t.id LIMIT 1`,
    [r.seriesId, r.firstSerial.toString(), r.lastSerial.toString(), since.toISOString()],
  );
  const transfer = away.rows[0];
  return transfer ? `transferred to another registry by ${transfer.id} since the latest marker, and not reversed` : null;
}

/**
 * Re-issues first-transfer markers (A6R-45) for specific units of the Party: registry administrators or
 * the Party's section administrators. The new markers, dated now, are the latest and so apply.
 */
export async function reissueMarker(sql: Sql, ctx: LedgerContext, actor: Actor, p: ReissueMarkerProposal): Promise<Plan> {
  const { chain } = await lockAccounts(sql, [], []);
  const createdAt = ctx.now();
  const refusals: Refusal[] = [];
  if (!mayAuthorizeFor(actor, p.party)) refusals.push(refusal('NOT_ALLOWED_TO_AUTHORIZE', { party: p.party, userId: actor.userId }));
  if (p.use !== 'NDC' && p.use !== 'OIMP') refusals.push(invalid('use', 'must be NDC or OIMP'));
  if (p.ranges.length === 0 || p.ranges.length > MAX_RANGES) refusals.push(invalid('ranges', `must list 1 to ${MAX_RANGES} serial ranges`));
  for (const r of p.ranges) if (r.firstSerial < 1n || r.firstSerial > r.lastSerial || r.lastSerial > MAX_SERIAL) refusals.push(invalid('ranges', `[${r.firstSerial}, ${r.lastSerial}] of ${r.seriesId} is not a serial range`));
  if (p.reason.trim() === '' || p.reason.length > 500) refusals.push(invalid('reason', 'must be 1 to 500 characters'));
  if (refusals.length > 0) return { createdAt, refusals };
  for (const r of p.ranges) {
    const series = await prepared<{ hostParty: string }>(sql, 'SELECT "hostParty" FROM "UnitSeries" WHERE id = $1', [r.seriesId]);
    if (series.rows[0]?.hostParty !== p.party) refusals.push(refusal('AUTHORIZED_UNITS_NOT_FOUND', { seriesId: r.seriesId, party: p.party }));
  }
  if (refusals.length > 0) return { createdAt, refusals };
  for (const r of p.ranges) {
    const problem = await reissueProblem(sql, p.use, r);
    if (problem) refusals.push(refusal('MARKER_REISSUE_NOT_ALLOWED', { seriesId: r.seriesId, firstSerial: r.firstSerial.toString(), lastSerial: r.lastSerial.toString(), problem }));
  }
  if (refusals.length > 0) return { createdAt, refusals };
  const records: NewAdministrativeRecord[] = p.ranges.map((r) => ({
    kind: 'FIRST_TRANSFER_MARKER',
    subject: p.use,
    scopeType: 'UNITS',
    scopeId: r.seriesId,
    body: { firstSerial: r.firstSerial, lastSerial: r.lastSerial, authorization: null, event: 'REISSUE', reason: p.reason.trim() },
    validFrom: createdAt,
    validUntil: null,
  }));
  const changes: Changes = { ...NO_CHANGES, records };
  return { createdAt, chain, quantity: 0n, changes, operations: operationsOf(changes) };
}

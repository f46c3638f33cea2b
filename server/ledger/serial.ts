/** The largest block one operation may create; far above any real issuance, it bounds bad input. */
export const MAX_ISSUANCE = 1_000_000_000_000n;
/** Serials are PostgreSQL bigint: anything above is refused as a value, never sent to the database. */
export const MAX_SERIAL = 9_223_372_036_854_775_807n;

/** The attributes that make up a human-readable serial (A6R-40). */
export interface SerialParts {
  readonly cooperativeApproachId: string | null;
  readonly originatingRegistry: string;
  readonly firstTransferringParty: string;
  readonly vintage: number;
}

/**
 * Dash-joined serial per A6R-40: cooperative approach, originating registry, first-transferring Party
 * (alpha-3), serial number, vintage year. Units outside any cooperative approach print "NA" in its place
 * so that the positions of the parts never shift.
 */
export function humanSerial(parts: SerialParts, serial: bigint): string {
  return [parts.cooperativeApproachId ?? 'NA', parts.originatingRegistry, parts.firstTransferringParty, serial.toString(), String(parts.vintage)].join('-');
}

/** A block prints as first–last (an en dash between the two serials); a one-unit block as one serial. */
export function humanBlock(parts: SerialParts, firstSerial: bigint, lastSerial: bigint): string {
  if (firstSerial === lastSerial) return humanSerial(parts, firstSerial);
  return `${humanSerial(parts, firstSerial)}–${humanSerial(parts, lastSerial)}`;
}

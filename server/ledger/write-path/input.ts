import { actorGrant } from '../approach-scope';
import { encoded, sha256Hex, type CanonicalValue, type Encoded } from '../canonical-json';
import type { Actor, Proposal } from '../types';

/**
 * The most characters of canonical input the log records of one proposal. Inputs are bounded at every
 * entry point long before this (server/api/input-bounds.ts); this is the ledger's own bound, for any
 * caller, so that no request can grow the immutable log by more.
 */
export const MAX_LOGGED_INPUT_CHARS = 16_384;

/** A proposal as the log records it: its canonical input and that input's SHA-256. */
export interface ProposalInput {
  readonly input: Encoded;
  readonly inputHash: string;
  /** How many characters the whole input had when it was too long to record; null when it is recorded whole. */
  readonly oversized: number | null;
}

/**
 * The complete input, canonical, including who proposed with which grants: what replay feeds back in.
 * Beyond MAX_LOGGED_INPUT_CHARS it is summarised (kind, key, length and SHA-256 of the whole), and
 * `oversized` says how long it was; the same oversized request retried has the same summary.
 */
export function proposalInput(actor: Actor, proposal: Proposal): ProposalInput {
  const who = { userId: actor.userId, impersonatorId: actor.impersonatorId, grants: actor.grants.map((g) => ({ ...actorGrant(g) })) };
  const whole = encoded({ actor: who, proposal: proposal as unknown as CanonicalValue });
  if (whole.text.length <= MAX_LOGGED_INPUT_CHARS) return { input: whole, inputHash: sha256Hex(whole.text), oversized: null };
  const summary = { kind: proposal.kind, idempotencyKey: String(proposal.idempotencyKey).slice(0, 200), oversized: { characters: whole.text.length, sha256: sha256Hex(whole.text) } };
  const input = encoded({ actor: who, proposal: summary });
  return { input, inputHash: sha256Hex(input.text), oversized: whole.text.length };
}

import type { RouterOutputs } from '../../router-types';

/** What the rules pages show, as rules.overview answers it. */
export type Overview = RouterOutputs['rules']['overview'];

/** A moment as the rules pages write it: to the minute, in UTC. */
export const when = (date: Date | null) => (date ? date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');

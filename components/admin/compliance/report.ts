import type { RouterOutputs } from '../../router-types';

/** What the compliance page shows, as compliance.overview answers it. */
export type Overview = RouterOutputs['compliance']['overview'];
export type Finding = Overview['open'][number];
export type Run = Overview['runs'][number];

/** A moment as the compliance page writes it: to the second, in UTC. */
export const when = (date: Date | null) => (date ? date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—');
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
export const shortId = (id: string) => id.slice(0, 8);
export const afterTransactions = (count: number) => (count === 0 ? 'after transactions' : `after ${plural(count, 'transaction')}`);

import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/api/root';

/** What the pages receive from the API, inferred so that a router change shows up as a type error here. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type AccountSummary = RouterOutputs['account']['list']['accounts'][number];
export type VintageHolding = RouterOutputs['account']['list']['byVintage'][number];
export type AccountDetail = RouterOutputs['account']['get'];
export type BlockView = AccountDetail['blocks'][number];
export type AccountLookup = RouterOutputs['account']['lookup'];
export type TransferInput = RouterInputs['transfer']['submit'];
export type TransferOutcome = RouterOutputs['transfer']['submit'];

import type { RouterInputs } from '../../router-types';

/** Where a rule setting or a suspension applies (docs/rules.md). */
export type ScopeType = 'REGISTRY' | 'COOPERATIVE_APPROACH' | 'SECTION' | 'ACCOUNT';
export const SCOPES: readonly [ScopeType, string][] = [
  ['REGISTRY', 'The whole registry'],
  ['COOPERATIVE_APPROACH', 'A cooperative approach'],
  ['SECTION', 'A Party section'],
  ['ACCOUNT', 'An account'],
];

export const scopeText = (type: string, id: string) => (type === 'REGISTRY' ? 'registry' : `${type.toLowerCase().replace('_', ' ')} ${id}`);

type Scope = RouterInputs['rules']['configure']['scope'];
export const scopeOf = (type: ScopeType, id: string): Scope => (type === 'REGISTRY' ? { type } : { type, id: id.trim() });

import type { BadgeTone } from '../ui/badge';

const accountTypes: Record<string, string> = {
  ISSUANCE: 'Issuance',
  PENDING: 'Pending',
  HOLDING: 'Holding',
  USE: 'Use/retirement',
  CANCELLATION: 'Cancellation',
  ADMIN_CANCELLATION: 'Administrative cancellation',
  ADMIN_HOLDING: 'Administrative holding',
  ADAPTATION_FUND: 'Adaptation Fund',
  PROXY: 'Proxy',
  HIGHER_TIER: 'Higher-tier',
};

const accountStatuses: Record<string, { label: string; tone: BadgeTone }> = {
  INITIAL: { label: 'Initial', tone: 'warning' },
  ACTIVE: { label: 'Active', tone: 'success' },
  RESTRICTED: { label: 'Restricted', tone: 'warning' },
  SUSPENDED: { label: 'Suspended', tone: 'warning' },
  FROZEN: { label: 'Frozen', tone: 'info' },
  TERMINATED: { label: 'Terminated', tone: 'neutral' },
};

const registries: Record<string, string> = {
  INTERNATIONAL: 'International registry (Article 6.2)',
  MECHANISM: 'Mechanism registry (Article 6.4)',
};

const transactionKinds: Record<string, string> = {
  TRANSFER: 'Transfer',
  ISSUANCE: 'Issuance',
};

/** Unknown codes (a type added later) still read well: "NEW_KIND" → "New kind". */
function humanize(code: string): string {
  const words = code.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const accountTypeLabel = (type: string): string => accountTypes[type] ?? humanize(type);
export const accountStatus = (status: string) => accountStatuses[status] ?? { label: humanize(status), tone: 'neutral' as const };
export const registryLabel = (registry: string): string => registries[registry] ?? humanize(registry);
export const transactionKindLabel = (kind: string): string => transactionKinds[kind] ?? humanize(kind);

export const ROLE_LABELS: Record<string, string> = {
  SYSTEM_ADMIN: 'System administrator',
  REGISTRY_ADMIN: 'Registry administrator',
  SECTION_ADMIN: 'Section administrator',
  ACCOUNT_HOLDER: 'Account holder or representative',
  VIEWER: 'Read-only viewer',
  EXTERNAL_SYSTEM: 'External system',
};

export function scopeLabel(grant: { sectionId: string | null; accountId: string | null; cooperativeApproachIds?: readonly string[] }): string {
  const limit = grant.cooperativeApproachIds && grant.cooperativeApproachIds.length > 0 ? `, only cooperative approach ${grant.cooperativeApproachIds.join(', ')}` : '';
  if (grant.sectionId) return `section ${grant.sectionId}${limit}`;
  if (grant.accountId) return `account ${grant.accountId}${limit}`;
  return 'whole registry';
}

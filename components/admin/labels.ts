export const ROLE_LABELS: Record<string, string> = {
  SYSTEM_ADMIN: 'System administrator',
  REGISTRY_ADMIN: 'Registry administrator',
  SECTION_ADMIN: 'Section administrator',
  ACCOUNT_HOLDER: 'Account holder or representative',
  VIEWER: 'Read-only viewer',
  EXTERNAL_SYSTEM: 'External system',
};

export function scopeLabel(grant: { sectionId: string | null; accountId: string | null }): string {
  if (grant.sectionId) return `section ${grant.sectionId}`;
  if (grant.accountId) return `account ${grant.accountId}`;
  return 'whole registry';
}

import type { RouterOutputs } from '../../router-types';

/** What the administrator may do to this user, as the page's policies decide (app/admin/users/[id]/page.tsx). */
export interface Permissions {
  readonly enroll: boolean;
  readonly decide: boolean;
  readonly anonymise: boolean;
  readonly verify: boolean;
  readonly suspendAccess: boolean;
  readonly grant: boolean;
  readonly impersonate: boolean;
}

/** The user as users.get answers it. */
export type AdministeredUser = RouterOutputs['users']['get'];

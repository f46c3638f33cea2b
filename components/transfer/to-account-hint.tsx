import { accountStatus, accountTypeLabel } from '../accounts/labels';
import type { AccountLookup } from '../router-types';

/** Who the acquiring account belongs to, so that a mistyped number is caught before confirming. */
export function ToAccountHint({ lookup }: { lookup: { isPending: boolean; data?: AccountLookup } | undefined }) {
  // aria-live: the result arrives a moment after the field loses focus.
  return (
    <span aria-live="polite">
      {!lookup ? (
        'The account number, for example CHE-100-0001. Its holder is shown once you leave the field.'
      ) : lookup.isPending ? (
        'Looking up the account…'
      ) : lookup.data ? (
        <>
          <span className="font-medium text-ink">{lookup.data.name}</span>, held by <span className="font-medium text-ink">{lookup.data.holderName}</span> ({accountTypeLabel(lookup.data.type)}{lookup.data.status === null ? '' : `, ${accountStatus(lookup.data.status).label.toLowerCase()}`})
        </>
      ) : (
        'The account number, for example CHE-100-0001.'
      )}
    </span>
  );
}

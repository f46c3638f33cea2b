/**
 * The sign-in step's messages, shared by the server (which chooses them) and the sign-in form (which
 * shows them as they are). No imports: the form runs in the browser.
 */
export const SIGN_IN_MESSAGES = {
  INCORRECT: 'Email or password is incorrect.',
  UNAVAILABLE: 'Sign-in is not available right now. Please try again in a few minutes.',
  ACCOUNT_THROTTLED: 'Too many failed sign-in attempts for this account. Wait 15 minutes, then try again.',
  ADDRESS_THROTTLED: 'Too many failed sign-in attempts from your network. Wait 15 minutes, then try again.',
  ACCESS_SUSPENDED: 'Your access to the registry is suspended. Contact your registry administrator.',
} as const;

export const SHOWN_AS_IS: ReadonlySet<string> = new Set([SIGN_IN_MESSAGES.ACCOUNT_THROTTLED, SIGN_IN_MESSAGES.ADDRESS_THROTTLED, SIGN_IN_MESSAGES.ACCESS_SUSPENDED, SIGN_IN_MESSAGES.UNAVAILABLE]);

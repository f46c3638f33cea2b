

/** The class of an account page's main heading, in every state of the page. */
export const heading = 'text-2xl font-semibold';

import type { core } from 'zod';

/**
 * Validation messages in plain words. The procedures' schemas give their own messages; where one was
 * not given, zod's default wording ("Invalid input: expected string, received undefined") would reach
 * the user. This names the field in words and says what is wrong instead.
 */
export function plainMessage(issue: core.$ZodIssue): string {
  if (!isDefaultWording(issue.message)) return issue.message;
  const field = fieldName(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      // Issues carry no input unless asked to; the default message says what was received.
      return /received (undefined|null)$/.test(issue.message) ? `${field} is missing.` : `${field} has the wrong form.`;
    case 'too_big':
      return issue.origin === 'string' ? `${field} is too long: at most ${String(issue.maximum)} characters.` : issue.origin === 'array' || issue.origin === 'set' ? `${field} has too many entries: at most ${String(issue.maximum)}.` : `${field} is too large: at most ${String(issue.maximum)}.`;
    case 'too_small':
      return issue.origin === 'string' ? (issue.minimum === 1 ? `${field} is missing.` : `${field} is too short: at least ${String(issue.minimum)} characters.`) : issue.origin === 'array' || issue.origin === 'set' ? `${field} needs at least ${String(issue.minimum)} entries.` : `${field} is too small: at least ${String(issue.minimum)}.`;
    case 'invalid_value':
      return `${field} must be one of: ${issue.values.map((v) => String(v)).join(', ')}.`;
    case 'unrecognized_keys':
      return `${field === 'The request' ? 'The request' : field} has fields the registry does not know: ${issue.keys.join(', ')}.`;
    case 'invalid_union':
      return `${field} has the wrong form.`;
    case 'invalid_format':
      return `${field} is not in the expected format.`;
    default:
      return `${field} is not valid.`;
  }
}

const DEFAULT_WORDING = /^(Invalid|Too (big|small)|Unrecognized key|Expected )/;

function isDefaultWording(message: string): boolean {
  return DEFAULT_WORDING.test(message);
}

/** `selection.toAccountId` → "To account id"; an empty path is the request itself. */
function fieldName(path: readonly PropertyKey[]): string {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  if (last === undefined) return 'The request';
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

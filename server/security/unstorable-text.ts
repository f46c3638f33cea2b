/**
 * Text PostgreSQL cannot store, or that is not text at all: the NUL character (U+0000, refused by
 * PostgreSQL with error 22021) and UTF-16 surrogates that do not form a pair. Refused for every
 * string of every input, before the input is parsed, so no procedure can forget it.
 */
const UNSTORABLE_UTF16 = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** How deep and how many values the check walks: past either it stops looking, and the schemas' own bounds apply. */
const MAX_WALK_DEPTH = 32;
const MAX_WALK_VALUES = 100_000;

/** The path of the first string (or object key) in an input that holds unstorable text, or null. */
export function unstorableTextAt(input: unknown): string | null {
  let visited = 0;
  const walk = (value: unknown, path: string, depth: number): string | null => {
    if (++visited > MAX_WALK_VALUES || depth > MAX_WALK_DEPTH) return null;
    if (typeof value === 'string') return UNSTORABLE_UTF16.test(value) ? path || 'the input' : null;
    if (value === null || typeof value !== 'object') return null;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      const at = path ? `${path}.${key}` : key;
      if (UNSTORABLE_UTF16.test(key)) return at;
      const found = walk(inner, at, depth + 1);
      if (found !== null) return found;
    }
    return null;
  };
  return walk(input, '', 0);
}

export const unstorableTextMessage = (path: string) => `The field ${path} contains a NUL character (U+0000) or a broken UTF-16 surrogate, which the registry cannot store; type it again without it.`;

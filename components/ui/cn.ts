export type ClassValue = string | false | null | undefined;

/**
 * Joins class names, skipping falsy ones. No tailwind-merge: the primitives' variants never set the
 * same property twice, and callers add layout classes (margin, width, grid placement) rather than
 * override a variant's colours, so there is nothing to merge.
 */
export function cn(...classes: readonly ClassValue[]): string {
  return classes.filter(Boolean).join(' ');
}

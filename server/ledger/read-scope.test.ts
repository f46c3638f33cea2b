import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The structure that keeps reads scoped: a read module (`queries.ts` anywhere in the ledger) exports
 * only reads that take a read scope, and a read scope is made only by authority.ts. A new read that
 * forgets whose data it returns, or a scope made up beside the authority module, fails here.
 */
const ledger = path.dirname(new URL(import.meta.url).pathname);
const server = path.dirname(ledger);
const root = path.dirname(server);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Exported async functions of a module, with their parameter lists as written. */
function exportedReads(source: string): { name: string; parameters: string }[] {
  return [...source.matchAll(/export async function (\w+)\(([^)]*)\)/g)].map((m) => ({ name: m[1] as string, parameters: m[2] as string }));
}

describe('read scope', () => {
  const readModules = sourceFiles(ledger).filter((file) => path.basename(file) === 'queries.ts');

  it('is required by every read a read module exports', () => {
    expect(readModules.length).toBeGreaterThanOrEqual(3);
    const unscoped = readModules.flatMap((file) =>
      exportedReads(readFileSync(file, 'utf8'))
        .filter((read) => !/\bscope: ReadScope\b/.test(read.parameters))
        .map((read) => `${path.relative(root, file)}: ${read.name}(${read.parameters})`),
    );
    expect(unscoped).toEqual([]);
  });

  it('is made only by the authority module: nothing else casts to it or sets its mark', () => {
    const files = [...sourceFiles(server), ...sourceFiles(path.join(root, 'app')), ...sourceFiles(path.join(root, 'components')), ...sourceFiles(path.join(root, 'scripts'))];
    const makers = files.filter((file) => path.basename(file) !== 'authority.ts' && /as ReadScope\b|readScopeMark/.test(readFileSync(file, 'utf8')));
    expect(makers.map((file) => path.relative(root, file))).toEqual([]);
  });

  it('finds an unscoped read when there is one (the check itself works)', () => {
    const reads = exportedReads('export async function leaky(db: Db, accountId: string) {}\nexport async function fine(db: Db, scope: ReadScope) {}');
    expect(reads.filter((read) => !/\bscope: ReadScope\b/.test(read.parameters)).map((read) => read.name)).toEqual(['leaky']);
  });
});

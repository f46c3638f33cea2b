import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_RULE_VERSIONS, PLUGGABLE_RULES, versionInForce } from './catalog';
import published from './published.json';

const here = path.dirname(new URL(import.meta.url).pathname);
const versionFiles = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(here, d.name)).filter((f) => /^v[0-9]+\.ts$/.test(f)).map((f) => `${d.name}/${f}`))
  .sort();

describe('published rule versions', () => {
  it('are never edited: every version file has the digest it was published with', () => {
    const digests = published as Record<string, string>;
    for (const file of versionFiles) {
      const digest = createHash('sha256').update(readFileSync(path.join(here, file))).digest('hex');
      expect({ file, digest }).toEqual({ file, digest: digests[file] });
    }
    // Nothing published disappears either: replay needs every version the log names.
    expect(Object.keys(digests).sort()).toEqual(versionFiles);
  });

  it('are each in the catalog, in the file named after them', () => {
    const cataloged = [...BUILT_IN_RULE_VERSIONS, ...PLUGGABLE_RULES].map((r) => `${r.name}/v${r.version}.ts`).sort();
    expect(cataloged).toEqual(versionFiles);
  });

  it('supersede each other at their dates and retire', () => {
    expect(versionInForce('transfer-fee', '2026-06-01T00:00:00.000Z')?.version).toBe(1);
    expect(versionInForce('transfer-fee', '2026-12-31T23:59:59.999Z')?.version).toBe(1);
    expect(versionInForce('transfer-fee', '2027-01-01T00:00:00.000Z')?.version).toBe(2);
    expect(versionInForce('transfer-fee', '2025-12-31T23:59:59.999Z')).toBeNull();
    expect(versionInForce('no-such-rule', '2026-06-01T00:00:00.000Z')).toBeNull();
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const secretlint = path.join(root, 'node_modules/.bin/secretlint');

/**
 * `npm run lint` runs secretlint over the repository with `.secretlintrc.json`. These tests run the
 * same configuration over a scratch folder, so a change that weakens it (a rule dropped, the preset
 * replaced) fails here rather than letting a committed credential through.
 */
describe('the repository secret scanner', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'secret-scan-'));
    await copyFile(path.join(root, '.secretlintrc.json'), path.join(dir, '.secretlintrc.json'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function scan(file: string, content: string) {
    await writeFile(path.join(dir, file), content);
    try {
      const { stdout } = await run(secretlint, [file], { cwd: dir });
      return { code: 0, output: stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, output: failed.stdout };
    }
  }

  it('refuses a file holding a private key, a database URL with a password or an access token', async () => {
    const body = ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj', 'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu'];
    const pem = [['-----BEGIN', 'PRIVATE KEY-----'].join(' '), ...body, ['-----END', 'PRIVATE KEY-----'].join(' '), ''].join('\n');
    const found = await scan('key.pem', pem);
    expect(found.code).toBe(1);
    expect(found.output).toMatch(/PrivateKey/);
    const url = await scan('env.ts', `export const url = '${['postgresql://registry', 'Sup3rS3cretPw@db.internal:5432/registry'].join(':')}';\n`);
    expect(url.code).toBe(1);
    const token = await scan('ci.ts', `export const token = '${['ghp', 'R8xk2LmQ9vTz4NcW7yHb3JdF6sPa1GeU5oKi'].join('_')}';\n`);
    expect(token.code).toBe(1);
  });

  it('passes a file with no credential in it', async () => {
    const clean = await scan('clean.ts', "export const greeting = 'hello registry';\n");
    expect(clean.code).toBe(0);
  });
});

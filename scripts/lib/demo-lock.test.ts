import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDirectory, portIsFree } from './demo-lock';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const freshDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'registry-lock-'));
  dirs.push(d);
  return d;
};

describe('the demo data directory lock', () => {
  it('lets one process take a directory, refuses a second naming the holder, and frees it on unlock', () => {
    const dir = freshDir();
    const unlock = lockDataDirectory(dir);
    expect(typeof unlock).toBe('function');
    expect(readFileSync(path.join(dir, 'demo.lock'), 'utf8')).toBe(String(process.pid));
    // A second demo in another process: simulated by a lock file naming a live process (this test's parent).
    writeFileSync(path.join(dir, 'demo.lock'), String(process.ppid));
    expect(lockDataDirectory(dir)).toMatch(new RegExp(`another demo \\(process ${process.ppid}\\) is running`));
    writeFileSync(path.join(dir, 'demo.lock'), String(process.pid));
    (unlock as () => void)();
    expect(typeof lockDataDirectory(dir)).toBe('function');
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, 'demo.lock'), '2147483646');
    expect(typeof lockDataDirectory(dir)).toBe('function');
  });
});

describe('the port check before start', () => {
  it('says a port is taken while something listens on it, and free after', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    expect(await portIsFree(port)).toBe(false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await portIsFree(port)).toBe(true);
  });
});

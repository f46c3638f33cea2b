import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** True when nothing listens on 127.0.0.1:`port` (checked by binding it for a moment). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the demo's data directory for this process: PGlite takes no lock of its own, and two processes
 * on one directory would corrupt it. Returns the function that gives it back, or a message saying which
 * process holds it. A lock left by a process that no longer runs is taken over.
 */
export function lockDataDirectory(dataDir: string): (() => void) | string {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'demo.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        return `another demo (process ${holder}) is running on ${dataDir}. Stop it first, or give this one a directory of its own: REGISTRY_DATA_DIR=.data-2 PORT=3001 npm start`;
      }
      rmSync(file, { force: true });
    }
  }
  return `could not take ${file}: remove it if no demo is running.`;
}

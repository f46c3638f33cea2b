/**
 * The registry's web server: Next.js behind the registry's own HTTP server, which stamps every request
 * with the address of its connection (server/http/peer-address.ts) so that sign-in throttling sees the
 * socket's address, not a header the client chose. `npm start` runs it; so does `npm run dev` (`--dev`).
 *
 *   tsx scripts/serve.ts [--dev] [--port <n>] [--host <address>]     (defaults: $PORT or 3000, 127.0.0.1)
 */
import next from 'next';
import { createRegistryServer } from '../server/http/registry-server';
import { PROJECT_ROOT } from './lib/next-build';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const dev = process.argv.includes('--dev');
  const port = Number(option('port') ?? process.env.PORT ?? 3000);
  const hostname = option('host') ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`the port must be a number from 1 to 65535, got "${option('port') ?? process.env.PORT}".`);
  const app = next({ dev, dir: PROJECT_ROOT, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createRegistryServer((request, response) => handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => resolve());
  });
  console.log(`The registry is listening on http://${hostname}:${port}${dev ? ' (development)' : ''}`);
  const stop = () => {
    server.close(() => process.exit(0));
    // Keep-alive connections would hold close() open: give them a moment, then go.
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(`The registry's web server did not start: ${code === 'EADDRINUSE' ? 'the port is already in use.' : error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

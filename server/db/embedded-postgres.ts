/**
 * An embedded PostgreSQL for the zero-setup demo: PGlite (PostgreSQL compiled to WebAssembly, running
 * inside this Node.js process) behind a socket that speaks the PostgreSQL wire protocol, so that the
 * unchanged application — Prisma with adapter-pg, the migration engine, psql — connects to it by URL.
 *
 * Not for production (it uses a real PostgreSQL server). PGlite is one backend session: the server in
 * `embedded-sessions.ts` gives each connection the backend to itself from its first message until it is
 * idle again (out of any transaction and extended-protocol cycle), with statement names of its own, so
 * that concurrent use from several browsers behaves as on PostgreSQL, one connection at a time. Other
 * limits: several seconds and several hundred MB to start; migrations can be deployed to it but not
 * created against it (the engine panics on its catalog).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { serveEmbeddedSessions } from './embedded-sessions';

/** Far from PostgreSQL's 5432, so that the demo can run beside a real server. */
export const DEFAULT_EMBEDDED_PORT = 54329;
export const DEFAULT_EMBEDDED_DATA_DIR = path.join(process.cwd(), '.data', 'pglite');

/**
 * The application's pool (10 by default), the migration engine and a psql session or two must fit;
 * beyond the limit the socket server hangs up on new connections.
 */
const MAX_CONNECTIONS = 32;

export interface EmbeddedPostgres {
  /** postgresql:// URL for pg, @prisma/adapter-pg and the migration engine. */
  url: string;
  /** Closes the socket and the database (flushing it to the data directory). Safe to call twice. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Where the database files live; created if missing. Default: .data/pglite under the working directory. */
  dataDir?: string;
  /** TCP port on 127.0.0.1. Default 54329; 0 picks a free port (the URL tells which). */
  port?: number;
}

/**
 * Starts PGlite on `dataDir` and serves it on 127.0.0.1:`port`. One server per data directory: PGlite
 * takes no lock, so two processes on the same directory would corrupt it.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(opts.dataDir ?? DEFAULT_EMBEDDED_DATA_DIR);
  const port = opts.port ?? DEFAULT_EMBEDDED_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port for the embedded database: ${port}`);

  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  let server: Awaited<ReturnType<typeof serveEmbeddedSessions>>;
  try {
    server = await serveEmbeddedSessions(db, { host: '127.0.0.1', port, maxConnections: MAX_CONNECTIONS });
  } catch (error) {
    await db.close().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(`Port ${port} is already in use: is another embedded database running? Choose another port.`);
    }
    throw error;
  }

  const bound = server.port;
  let stopping: Promise<void> | undefined;
  return {
    // PGlite has a single database and does not check credentials; the names are for the client's sake.
    url: `postgresql://postgres:postgres@127.0.0.1:${bound}/postgres?sslmode=disable`,
    stop: () => {
      stopping ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return stopping;
    },
  };
}

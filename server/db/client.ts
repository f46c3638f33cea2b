import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';
import { env } from '../env';

export type Db = PrismaClient;

/** A Prisma client over node-postgres; one per process per database. */
export function createDb(connectionString: string, poolSize = 10): Db {
  const adapter = new PrismaPg({ connectionString, max: poolSize });
  return new PrismaClient({ adapter });
}

const globalForDb = globalThis as unknown as { registryDb?: Db };

/** The application's shared client, kept across hot reloads in development. */
export function db(): Db {
  if (!globalForDb.registryDb) {
    const e = env();
    globalForDb.registryDb = createDb(e.DATABASE_URL, e.DATABASE_POOL_SIZE);
  }
  return globalForDb.registryDb;
}

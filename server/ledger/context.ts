import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import { createLedgerPool } from './sql';
import type { LedgerContext, LogSigner } from './types';

export interface LedgerContextOptions {
  readonly db: Db;
  readonly databaseUrl: string;
  readonly signer: LogSigner;
  readonly poolSize?: number;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/** A ledger context over a database: wall-clock time and random ids unless told otherwise. */
export function createLedgerContext(options: LedgerContextOptions): LedgerContext & { close(): Promise<void> } {
  const pool = createLedgerPool(options.databaseUrl, options.poolSize ?? 10);
  return {
    db: options.db,
    pool,
    signer: options.signer,
    now: options.now ?? (() => new Date()),
    newId: options.newId ?? randomUUID,
    close: () => pool.end(),
  };
}

import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * The ledger's own connection pool. The write path talks to PostgreSQL directly, a few statements per
 * transaction, because it is the registry's hot path (A6R-36); reads elsewhere go through Prisma.
 */
export type Sql = pg.PoolClient;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    // int8: serials and quantities are bigint end to end, never a lossy JS number.
    if (oid === 20) return (value: string) => BigInt(value);
    // timestamp without time zone holds UTC (as Prisma writes it); pg would read it as local time.
    if (oid === 1114) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

export function createLedgerPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, types });
  // An idle connection that the server ends (restart, failover) must not crash the process; the pool
  // replaces it at the next checkout.
  pool.on('error', (error) => console.error(`ledger pool: idle connection lost: ${error.message}`));
  return pool;
}

/** PostgreSQL errors after which the whole transaction may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);
export const MAX_ATTEMPTS = 5;

/**
 * The write path's planner setting, made first in every write-path transaction: by registry_lock or
 * registry_claim_chain when the transaction begins with one of them (Step.setsPlanner), otherwise by
 * this statement, sent with its BEGIN. The write path reaches every row by a key or an index, and its
 * statements are planned once per connection and kept (named
 * statements; PL/pgSQL's plans): a plan made while a table was small (a new registry, or statistics
 * not yet refreshed: a server without autovacuum never refreshes them) reads that table whole at every
 * call long after it has grown, each transfer slower than the last. Found on the benchmark (statistics
 * from its set-up, autovacuum off): connections whose generic plan for the first read of blocks was two
 * sequential scans of UnitBlock read 10 million rows in 8 seconds, and throughput rose by a third
 * without them. A sequential scan is still chosen where no index serves a statement. Transaction-local,
 * so that reads outside the write path (verification, replay, reports) plan as usual.
 */
const PLAN_WITHOUT_SEQSCAN = 'SET LOCAL enable_seqscan = off';

/** Connections handed out by inTransaction, and how far their transaction has got. */
const managed = new WeakSet<pg.PoolClient>();
const begun = new WeakSet<pg.PoolClient>();
const committed = new WeakSet<pg.PoolClient>();

/**
 * Runs `work` in one database transaction (READ COMMITTED plus row locks) and commits it; rolls back on
 * any error. A serialization failure or deadlock is retried, at most MAX_ATTEMPTS times, with jitter.
 *
 * BEGIN and COMMIT are not sent on their own when they can travel with a statement: `beginWith` and
 * `commitWith` send them in the same message as the first and last statement. Each round trip costs
 * more than the statements of a transfer themselves, so a transfer makes three instead of five.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (sql: Sql) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    managed.add(client);
    try {
      const result = await work(client);
      if (begun.has(client) && !committed.has(client)) await client.query('COMMIT');
      return result;
    } catch (error) {
      // Also when unsure whether BEGIN went out: a ROLLBACK outside a transaction is harmless.
      if (!committed.has(client)) await client.query('ROLLBACK').catch(() => undefined);
      if (attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(error))) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
        continue;
      }
      throw error;
    } finally {
      managed.delete(client);
      begun.delete(client);
      committed.delete(client);
      client.release();
    }
  }
}

async function ensureBegun(sql: Sql | pg.Pool): Promise<void> {
  if (sql instanceof pg.Pool || !managed.has(sql) || begun.has(sql)) return;
  await sql.query(`BEGIN; ${PLAN_WITHOUT_SEQSCAN}`);
  begun.add(sql);
}

/**
 * Sends constant statements (no values: a value always travels as a bound parameter, in a `Step` of
 * `beginPipeline` or `commitPipeline`) as the transaction's first, together with its BEGIN, and returns
 * their results. Outside inTransaction they are sent alone.
 */
export async function beginWith(sql: Sql, text: string, options: { readonly setsPlanner?: boolean } = {}): Promise<pg.QueryResult[]> {
  const opening = managed.has(sql) && !begun.has(sql);
  // Marked before sending: if the statement fails, the transaction it opened must still be rolled back
  // before the connection goes back to the pool.
  if (opening) begun.add(sql);
  const opened = options.setsPlanner ? ['BEGIN'] : ['BEGIN', PLAN_WITHOUT_SEQSCAN];
  const sent = (await sql.query(opening ? `${opened.join('; ')}; ${text}` : text)) as unknown as pg.QueryResult | pg.QueryResult[];
  const results = Array.isArray(sent) ? sent : [sent];
  return opening ? results.slice(opened.length) : results;
}

/** Sends the transaction's last, constant statement together with its COMMIT; an error in it prevents the commit. */
export async function commitWith<R extends pg.QueryResultRow>(sql: Sql, text: string): Promise<pg.QueryResult<R>> {
  await ensureBegun(sql);
  if (!managed.has(sql)) return sql.query<R>(text);
  const results = (await sql.query(`${text}; COMMIT`)) as unknown as pg.QueryResult<R>[];
  committed.add(sql);
  return results[0] as pg.QueryResult<R>;
}

/**
 * One statement of a pipeline. With `values` (strings or null) it is prepared once per connection,
 * under a name, and its plan may become generic; with `perCall` too, it is parsed and planned for its
 * values at every call (an unnamed statement), for reads whose best plan depends on the values.
 */
export interface Step {
  readonly text: string;
  readonly values?: readonly (string | null)[];
  readonly perCall?: boolean;
  /**
   * The statement makes the write path's planner setting itself, for the rest of the transaction
   * (prisma/functions/registry_lock.sql): a transaction it opens needs no SET LOCAL.
   */
  readonly setsPlanner?: boolean;
}

/**
 * Sends BEGIN (when the transaction is not yet open) and statements in one message of the extended
 * protocol, and returns the statements' results: `beginWith` for statements with parameters.
 */
export async function beginPipeline(sql: Sql, steps: readonly Step[]): Promise<pg.QueryResult[]> {
  const opening = managed.has(sql) && !begun.has(sql);
  // Marked before sending: if a statement fails, the transaction it opened must still be rolled back.
  if (opening) begun.add(sql);
  const opened: Step[] = steps[0]?.setsPlanner ? [{ text: 'BEGIN', values: [] }] : [{ text: 'BEGIN', values: [] }, { text: PLAN_WITHOUT_SEQSCAN, values: [] }];
  const results = await runPipeline(sql, opening ? [...opened, ...steps] : steps);
  return opening ? results.slice(opened.length) : results;
}

/**
 * Sends statements and COMMIT in one message of the extended protocol, and returns their results. It
 * is `commitWith` for statements with parameters: a large value (the record of a transaction) travels
 * as a parameter, which PostgreSQL neither lexes nor parses as SQL, and statements with values are
 * parsed and planned once per connection. As in a simple query of several statements, an error in one
 * skips the rest, COMMIT included, and the transaction is rolled back (inTransaction).
 */
export async function commitPipeline(sql: Sql, steps: readonly Step[]): Promise<pg.QueryResult[]> {
  await ensureBegun(sql);
  const all = managed.has(sql) ? [...steps, { text: 'COMMIT', values: [] }] : steps;
  const results = await runPipeline(sql, all);
  if (managed.has(sql)) committed.add(sql);
  return results.slice(0, steps.length);
}

function runPipeline(sql: Sql, steps: readonly Step[]): Promise<pg.QueryResult[]> {
  return new Promise<pg.QueryResult[]>((resolve, reject) => {
    sql.query(new Pipeline(steps, resolve, reject) as unknown as pg.QueryConfig);
  });
}

/** The parts of node-postgres's connection a pipeline uses (pg's own Query uses them the same way). */
interface WireConnection {
  readonly stream: { cork?(): void; uncork?(): void };
  readonly parsedStatements: Record<string, string>;
  parse(message: { text: string; name: string; types: readonly string[] }): void;
  bind(message: { statement: string; values: readonly (string | null)[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string }): void;
  sync(): void;
  sendCopyFail(message: string): void;
  on(event: 'parseComplete', listener: () => void): void;
  off(event: 'parseComplete', listener: () => void): void;
}

/** A field of a row description, as node-postgres's protocol parser delivers it. */
interface FieldDescription {
  readonly name: string;
  readonly dataTypeID: number;
  readonly format?: string;
}

/** How the rows of one row description are read: the column names and their type parsers. */
interface RowReader {
  readonly names: readonly string[];
  readonly parsers: readonly ((value: string) => unknown)[];
}

/**
 * Row readers by row description. A named statement's description is learned once per connection and
 * kept (`describedStatements`), so its reader is built once too, not for every execution.
 */
const rowReaders = new WeakMap<readonly unknown[], RowReader>();

function rowReader(fields: readonly unknown[]): RowReader {
  let reader = rowReaders.get(fields);
  if (!reader) {
    const described = fields as readonly FieldDescription[];
    for (const f of described) if (f.format === 'binary') throw new Error(`pipeline: column ${f.name} arrived in binary format`);
    reader = { names: described.map((f) => f.name), parsers: described.map((f) => types.getTypeParser(f.dataTypeID, 'text') as (value: string) => unknown) };
    rowReaders.set(fields, reader);
  }
  return reader;
}

const COMMAND_TAG = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/;

/** One statement's result, in node-postgres's shape: its rows as objects, parsed by the ledger's types. */
class PipelineResult implements pg.QueryResult {
  command = '';
  rowCount: number | null = null;
  oid = 0;
  fields: pg.FieldDef[] = [];
  readonly rows: pg.QueryResultRow[] = [];

  constructor(private readonly reader: RowReader | null = null, fields: readonly unknown[] = []) {
    this.fields = fields as pg.FieldDef[];
  }

  addRow(values: readonly (string | null)[]): void {
    const reader = this.reader;
    if (!reader) throw new Error('pipeline: a data row arrived without a row description');
    const row: pg.QueryResultRow = {};
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      row[reader.names[i] as string] = value === null || value === undefined ? null : (reader.parsers[i] as (value: string) => unknown)(value);
    }
    this.rows.push(row);
  }

  /** The command tag: "SELECT 1", "INSERT 0 1", "UPDATE 3". */
  complete(tag: string): void {
    const match = COMMAND_TAG.exec(tag);
    if (!match) return;
    this.command = match[1] as string;
    if (match[3]) {
      this.oid = Number(match[2]);
      this.rowCount = Number(match[3]);
    } else if (match[2]) this.rowCount = Number(match[2]);
  }
}

/**
 * Per connection, what each named statement returns, learned from its first execution: the fields of
 * its rows, or null when it returns none (BEGIN, COMMIT, a SET). A statement prepared under a name keeps
 * its result type (PostgreSQL refuses to run it otherwise), so later executions need no Describe: the
 * server then sends no row description, and neither side builds or parses one for every statement.
 */
const describedStatements = new WeakMap<WireConnection, Map<string, unknown[] | null>>();

/**
 * A node-postgres Submittable: Parse (when the connection lacks the statement), Bind, Describe (when
 * the connection has not yet learned what the statement returns) and Execute for every step, then one
 * Sync, written to the socket at once; one round trip for them all.
 */
class Pipeline {
  private readonly results: pg.QueryResult[] = [];
  private current: PipelineResult | null = null;
  /** Per step, its statement's name ('' for unnamed ones) and whether it was sent with a Describe. */
  private readonly sent: { name: string; described: boolean }[] = [];
  private described: Map<string, unknown[] | null> = new Map();
  /** The statements sent for parsing, in order ('' for unnamed ones), and how many the server parsed. */
  private readonly parsing: { name: string; text: string }[] = [];
  private parsedCount = 0;
  private connection: WireConnection | null = null;
  private readonly onParsed = () => {
    this.parsedCount++;
  };

  constructor(
    private readonly steps: readonly Step[],
    private readonly resolve: (results: pg.QueryResult[]) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  submit(connection: WireConnection): void {
    this.connection = connection;
    let described = describedStatements.get(connection);
    if (!described) describedStatements.set(connection, (described = new Map()));
    this.described = described;
    connection.on('parseComplete', this.onParsed);
    connection.stream.cork?.();
    try {
      for (const step of this.steps) {
        const name = step.values && !step.perCall ? statementName(step.text) : '';
        const parsed = name !== '' && connection.parsedStatements[name] !== undefined;
        if (!parsed) {
          connection.parse({ text: step.text, name, types: [] });
          this.parsing.push({ name, text: step.text });
          described.delete(name);
        }
        connection.bind({ statement: name, values: step.values ?? [] });
        const describe = !parsed || !described.has(name);
        if (describe) connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '' });
        this.sent.push({ name, described: describe });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
  }

  /** Remembers the named statements the server parsed (up to an error: after it, nothing ran). */
  private settle(): void {
    const connection = this.connection;
    if (!connection) return;
    connection.off('parseComplete', this.onParsed);
    for (const { name, text } of this.parsing.slice(0, this.parsedCount)) if (name !== '') connection.parsedStatements[name] = text;
    this.connection = null;
  }

  /** The step whose results are arriving: results come in the order of the steps. */
  private step(): { name: string; described: boolean } | undefined {
    return this.sent[this.results.length];
  }

  handleRowDescription(message: { fields: unknown[] }): void {
    this.current = new PipelineResult(rowReader(message.fields), message.fields);
    const step = this.step();
    if (step && step.name !== '') this.described.set(step.name, message.fields);
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    let current = this.current;
    if (!current) {
      // A statement executed without a Describe: its rows have the fields it was first described with.
      const fields = this.described.get(this.step()?.name ?? '');
      if (!fields) throw new Error('pipeline: a data row arrived without a row description');
      current = this.current = new PipelineResult(rowReader(fields), fields);
    }
    current.addRow(message.fields);
  }

  handleCommandComplete(message: { text?: string; command?: string }): void {
    const step = this.step();
    // Described, and no row description came: the statement returns no rows.
    if (!this.current && step?.described && step.name !== '') this.described.set(step.name, null);
    const current = this.current ?? new PipelineResult();
    current.complete(message.text ?? message.command ?? '');
    this.results.push(current);
    this.current = null;
  }

  handleEmptyQuery(): void {
    this.results.push(new PipelineResult());
  }

  handlePortalSuspended(): void {
    // Every portal is executed without a row limit: it never suspends.
  }

  handleCopyInResponse(connection: WireConnection): void {
    connection.sendCopyFail('COPY is not part of a pipeline');
  }

  handleCopyData(): void {}

  handleError(error: Error): void {
    this.settle();
    this.reject(error);
  }

  handleReadyForQuery(): void {
    this.settle();
    this.resolve(this.results);
  }
}

/** A text[] parameter's value: an array literal, every element quoted (`{"a","b\\"c"}`). */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** A boolean[] parameter's value. */
export function booleanArray(values: readonly boolean[]): string {
  return `{${values.map((v) => (v ? 't' : 'f')).join(',')}}`;
}

export function sqlState(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : '';
}

/** A unique-constraint violation on the named constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return sqlState(error) === '23505' && typeof error === 'object' && error !== null && 'constraint' in error && error.constraint === constraint;
}

/** Timestamps cross as ISO-8601 UTC text: the columns hold UTC without a zone. */
export const utc = (date: Date): string => date.toISOString();

const statementNames = new Map<string, string>();

/**
 * Runs a statement as a named prepared statement: each connection parses and plans it once, and
 * afterwards only its parameters travel. The write path's statements are few and fixed in shape, so
 * naming them by a digest of their text is safe and keeps the hot path cheap on both sides.
 */
export async function prepared<R extends pg.QueryResultRow>(sql: Sql | pg.Pool, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  await ensureBegun(sql);
  return sql.query<R>({ name: statementName(text), text, values });
}

/** The name a statement is prepared under on every connection: a digest of its text. */
export function statementNameOf(text: string): string {
  return statementName(text);
}

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `l${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

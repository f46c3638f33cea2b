/**
 * Many client connections over PGlite's one backend session, each seeing what it would see on a real
 * PostgreSQL server.
 *
 * PGlite is a single PostgreSQL backend: every connection of a socket server in front of it shares its
 * prepared statements, its unnamed statement and portal, and its transaction. The server shipped with
 * PGlite (pglite-socket) queues single protocol messages, so two connections' extended-protocol cycles
 * (Parse, Bind, Execute, Sync) interleave, and a named statement one connection prepared is "already
 * there" for the next connection that prepares the same name, even after the first has gone. This module
 * is the one place where that is put right:
 *
 * 1. **Exclusive use until idle.** A connection takes the backend with its first message and keeps it
 *    until the backend reports ReadyForQuery with status idle ('I'): through a whole extended-protocol
 *    cycle, a pipeline of them, and a whole transaction. Other connections wait their turn, first come
 *    first served. This is what a real server's separate backends give, at the cost of concurrency.
 * 2. **Statement and portal names of their own.** Every name a connection gives in Parse, Bind, Describe,
 *    Close and Execute is prefixed with the connection's number, so that two connections' statements never
 *    meet; the unnamed ones need nothing, since (1) keeps them within one connection's turn.
 * 3. **Clean departure.** When a connection goes, a transaction it left open is rolled back, an unfinished
 *    cycle is ended, and its prepared statements are closed.
 *
 * 4. **Notifications to their listeners.** `LISTEN` and `UNLISTEN` (sent as simple queries, as the job
 *    library sends them) are recorded per connection. PGlite returns a NotificationResponse in the
 *    reply of whichever connection's statement committed the `NOTIFY`; it is taken out of that reply
 *    and sent to every connection that listens on the channel, as separate backends would have it.
 *    The backend itself keeps listening once any connection has listened, so one connection's
 *    `UNLISTEN` (answered as usual) never silences another's.
 *
 * Not covered (the registry does not use them): session-level `SET` (not `SET LOCAL`), SQL-level
 * `PREPARE`/`DEALLOCATE`, temporary tables: these stay shared between connections.
 */
import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** A frontend message larger than this is refused (PostgreSQL's own limit for most messages is 1 GB). */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

type TransactionStatus = 'I' | 'T' | 'E';

/** The backend, lent to one connection at a time. */
class BackendTurns {
  private owner: number | null = null;
  private readonly waiting: { id: number; grant: () => void }[] = [];

  /** Resolves when connection `id` holds the backend (at once if it already does). */
  take(id: number): Promise<void> {
    if (this.owner === id) return Promise.resolve();
    if (this.owner === null) {
      this.owner = id;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ id, grant: resolve }));
  }

  /** Connection `id` is done for now; the next waiting connection gets the backend. */
  give(id: number): void {
    if (this.owner !== id) return;
    const next = this.waiting.shift();
    this.owner = next?.id ?? null;
    next?.grant();
  }

  holds(id: number): boolean {
    return this.owner === id;
  }

  get queued(): number {
    return this.waiting.length;
  }
}

/** A frontend message with its statement and portal names prefixed; other messages come back as they are. */
export function renameInMessage(message: Buffer, prefix: string): { message: Buffer; prepared?: string; closed?: string } {
  const type = String.fromCharCode(message[0]!);
  if (!'PBDCE'.includes(type)) return { message };
  const named = (name: string) => (name === '' ? '' : prefix + name);
  const cstring = (at: number): [string, number] => {
    const end = message.indexOf(0, at);
    if (end < 0) throw new Error(`malformed ${type} message`);
    return [message.toString('utf8', at, end), end + 1];
  };
  const parts: Buffer[] = [];
  const text = (s: string) => parts.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
  let prepared: string | undefined;
  let closed: string | undefined;
  switch (type) {
    case 'P': {
      // Parse: statement name, query, parameter types.
      const [name, rest] = cstring(5);
      text(named(name));
      parts.push(message.subarray(rest));
      if (name !== '') prepared = named(name);
      break;
    }
    case 'B': {
      // Bind: portal name, statement name, the rest (formats, values).
      const [portal, afterPortal] = cstring(5);
      const [statement, rest] = cstring(afterPortal);
      text(named(portal));
      text(named(statement));
      parts.push(message.subarray(rest));
      break;
    }
    case 'D':
    case 'C': {
      // Describe / Close: 'S'tatement or 'P'ortal, then its name.
      const kind = String.fromCharCode(message[5]!);
      const [name, rest] = cstring(6);
      parts.push(message.subarray(5, 6));
      text(named(name));
      parts.push(message.subarray(rest));
      if (type === 'C' && kind === 'S' && name !== '') closed = named(name);
      break;
    }
    case 'E': {
      // Execute: portal name, row limit.
      const [portal, rest] = cstring(5);
      text(named(portal));
      parts.push(message.subarray(rest));
      break;
    }
  }
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header[0] = message[0]!;
  header.writeInt32BE(body.length + 4, 1);
  return { message: Buffer.concat([header, body]), prepared, closed };
}

/** The transaction status of the last ReadyForQuery in a backend reply, if it has one. */
export function lastReadyStatus(reply: Buffer): TransactionStatus | undefined {
  let status: TransactionStatus | undefined;
  let at = 0;
  while (at + 5 <= reply.length) {
    const length = reply.readInt32BE(at + 1);
    if (reply[at] === 0x5a /* Z */ && length === 5 && at + 6 <= reply.length) status = String.fromCharCode(reply[at + 5]!) as TransactionStatus;
    at += 1 + length;
  }
  return status;
}

function frontendMessage(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** A notice-free ErrorResponse for a protocol violation, in the backend's format. */
function errorResponse(message: string): Buffer {
  const fields = Buffer.concat([Buffer.from('SERROR\0VERROR\0C08P01\0M', 'utf8'), Buffer.from(message, 'utf8'), Buffer.from('\0\0')]);
  return frontendMessage('E', fields);
}

/** A channel name as LISTEN names it: a quoted identifier as written, a bare one folded to lower case. */
function channelName(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replaceAll('""', '"') : token.toLowerCase();
}

const LISTEN_STATEMENT = /^\s*(LISTEN|UNLISTEN)\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*|\*)\s*$/i;

/**
 * The LISTEN and UNLISTEN statements of a simple query made of nothing else, or null for any other
 * query (which then runs as it is).
 */
export function listenStatements(query: string): { kind: 'LISTEN' | 'UNLISTEN'; channel: string }[] | null {
  const statements = query.split(';').filter((part) => part.trim() !== '');
  if (statements.length === 0) return null;
  const parsed = statements.map((statement) => LISTEN_STATEMENT.exec(statement));
  if (parsed.some((m) => m === null)) return null;
  return parsed.map((m) => ({ kind: (m as RegExpExecArray)[1]!.toUpperCase() as 'LISTEN' | 'UNLISTEN', channel: (m as RegExpExecArray)[2] === '*' ? '*' : channelName((m as RegExpExecArray)[2]!) }));
}

/** Takes the NotificationResponse messages out of a backend reply: the reply without them, and each with its channel. */
export function takeNotifications(reply: Buffer): { rest: Buffer; notifications: { channel: string; message: Buffer }[] } {
  const notifications: { channel: string; message: Buffer }[] = [];
  const kept: Buffer[] = [];
  let at = 0;
  while (at + 5 <= reply.length) {
    const end = at + 1 + reply.readInt32BE(at + 1);
    const message = reply.subarray(at, end);
    if (reply[at] === 0x41 /* A */) {
      // NotificationResponse: process id (int32), channel, payload.
      const channelEnd = message.indexOf(0, 9);
      notifications.push({ channel: message.toString('utf8', 9, channelEnd), message });
    } else kept.push(message);
    at = end;
  }
  return { rest: notifications.length === 0 ? reply : Buffer.concat(kept), notifications };
}

/** Who listens on which channel, across connections. */
class Listeners {
  private readonly byChannel = new Map<string, Set<Session>>();

  listen(session: Session, channel: string): void {
    const set = this.byChannel.get(channel) ?? new Set<Session>();
    set.add(session);
    this.byChannel.set(channel, set);
  }

  unlisten(session: Session, channel: string): void {
    for (const [name, set] of this.byChannel) if (channel === '*' || name === channel) set.delete(session);
  }

  deliver(notifications: readonly { channel: string; message: Buffer }[]): void {
    for (const n of notifications) for (const session of this.byChannel.get(n.channel) ?? []) session.notify(n.message);
  }
}

/** What an UNLISTEN is sent to the backend as: a channel nobody listens on, so the backend keeps listening for the others. */
const UNLISTEN_NOTHING = frontendMessage('Q', Buffer.from('UNLISTEN "embedded sessions: nobody"\0', 'utf8'));

/** One client connection. */
class Session {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private status: TransactionStatus = 'I';
  /** True between a message of an unfinished cycle and the ReadyForQuery that ends it. */
  private midCycle = false;
  private readonly statements = new Set<string>();
  private work: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly id: number,
    private readonly socket: net.Socket,
    private readonly db: PGlite,
    private readonly turns: BackendTurns,
    private readonly listeners: Listeners,
    private readonly onGone: (session: Session) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  private get prefix(): string {
    return `c${this.id}_`;
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const message = this.nextMessage();
      if (message === null) return;
      this.work = this.work.then(() => this.handle(message)).catch((error: unknown) => this.fail(error));
    }
  }

  /** Cuts the next whole message off the buffer, or returns null until one has arrived. */
  private nextMessage(): Buffer | null {
    if (!this.started) {
      if (this.buffer.length < 8) return null;
      const length = this.buffer.readInt32BE(0);
      if (length < 8 || length > 10_000) {
        this.fail(new Error('malformed start-up message'));
        return null;
      }
      if (this.buffer.length < length) return null;
      const message = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      return message;
    }
    if (this.buffer.length < 5) return null;
    const length = this.buffer.readInt32BE(1);
    if (length < 4 || length > MAX_MESSAGE_BYTES) {
      this.fail(new Error(`message of ${length} bytes refused`));
      return null;
    }
    if (this.buffer.length < 1 + length) return null;
    const message = this.buffer.subarray(0, 1 + length);
    this.buffer = this.buffer.subarray(1 + length);
    return message;
  }

  private async handle(message: Buffer): Promise<void> {
    if (this.closed) return;
    if (!this.started) {
      const code = message.readInt32BE(4);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        // No encryption on the loopback demo database: the client goes on in the clear.
        this.socket.write('N');
        return;
      }
      if (code === CANCEL_REQUEST) {
        // PGlite has no backend process to interrupt: a cancel request is dropped, as the protocol allows.
        this.socket.end();
        return;
      }
      if (code !== PROTOCOL_3) throw new Error(`unsupported protocol version ${code}`);
      this.started = true;
      await this.exchange(message);
      return;
    }
    if (message[0] === 0x58 /* X: Terminate */) {
      this.close();
      return;
    }
    if (message[0] === 0x51 /* Q: simple query */) {
      const listens = listenStatements(message.toString('utf8', 5, message.length - 1));
      if (listens !== null) {
        for (const l of listens) {
          if (l.kind === 'LISTEN') this.listeners.listen(this, l.channel);
          else this.listeners.unlisten(this, l.channel);
        }
        const onlyUnlisten = listens.every((l) => l.kind === 'UNLISTEN');
        await this.exchange(onlyUnlisten ? UNLISTEN_NOTHING : frontendMessage('Q', Buffer.from(`${listens.filter((l) => l.kind === 'LISTEN').map((l) => `LISTEN "${l.channel.replaceAll('"', '""')}"`).join('; ')}\0`, 'utf8')));
        return;
      }
    }
    const { message: renamed, prepared, closed } = renameInMessage(message, this.prefix);
    if (prepared) this.statements.add(prepared);
    if (closed) this.statements.delete(closed);
    await this.exchange(renamed);
  }

  /** A notification for a channel this connection listens on. */
  notify(message: Buffer): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(message);
  }

  /** Sends one message to the backend in this connection's turn, and its reply back to the client. */
  private async exchange(message: Buffer): Promise<void> {
    await this.turns.take(this.id);
    // Gone while waiting: close() has queued the clean-up, which gives the turn back.
    if (this.closed) return;
    this.midCycle = true;
    const { rest: reply, notifications } = takeNotifications(await this.run(message));
    if (reply.length > 0 && !this.socket.destroyed) this.socket.write(reply);
    this.settle(reply);
    this.listeners.deliver(notifications);
  }

  /** Runs messages on the backend and returns its whole reply; the caller holds the turn. */
  private async run(message: Buffer): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    await this.db.runExclusive(() => this.db.execProtocolRawStream(new Uint8Array(message.buffer, message.byteOffset, message.length), { onRawData: (data) => chunks.push(data.slice()) }));
    return Buffer.concat(chunks);
  }

  /** After a reply: at ReadyForQuery with no transaction open, the backend goes to the next connection. */
  private settle(reply: Buffer): void {
    const status = lastReadyStatus(reply);
    if (status === undefined) return;
    this.status = status;
    this.midCycle = false;
    if (status === 'I') this.turns.give(this.id);
  }

  private fail(error: unknown): void {
    if (!this.socket.destroyed) {
      this.socket.write(errorResponse(`embedded database: ${error instanceof Error ? error.message : String(error)}`));
    }
    this.close();
  }

  /** The connection is gone: once the messages already received are done, clean up and let others on. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.work = this.work.then(() => this.leave()).catch(() => this.turns.give(this.id));
  }

  /** Leaves the backend as if this connection had never been: no open transaction, none of its statements. */
  private async leave(): Promise<void> {
    const holding = this.turns.holds(this.id);
    if (holding && (this.midCycle || this.status !== 'I')) {
      // End an unfinished cycle, then whatever transaction it left open.
      await this.run(frontendMessage('S'));
      await this.run(frontendMessage('Q', Buffer.from('ROLLBACK\0', 'utf8')));
    }
    if (this.statements.size > 0) {
      await this.turns.take(this.id);
      const closes = [...this.statements].map((name) => frontendMessage('C', Buffer.concat([Buffer.from('S', 'latin1'), Buffer.from(name, 'utf8'), Buffer.from([0])])));
      await this.run(Buffer.concat([...closes, frontendMessage('S')]));
      this.statements.clear();
    }
    this.listeners.unlisten(this, '*');
    this.turns.give(this.id);
    this.onGone(this);
  }
}

export interface EmbeddedSessionServer {
  /** The port bound on `host`. */
  readonly port: number;
  /** Connections open now, and connections waiting for the backend. */
  stats(): { connections: number; waiting: number };
  /** Stops accepting, closes every connection and waits until each has cleaned up. */
  stop(): Promise<void>;
}

/**
 * Serves `db` over the PostgreSQL wire protocol on `host:port` (0: a free port), with each connection
 * isolated as described above. Refuses connections beyond `maxConnections`.
 */
export async function serveEmbeddedSessions(db: PGlite, opts: { host: string; port: number; maxConnections: number }): Promise<EmbeddedSessionServer> {
  const turns = new BackendTurns();
  const listeners = new Listeners();
  const sessions = new Set<Session>();
  let nextId = 1;
  const server = net.createServer((socket) => {
    if (sessions.size >= opts.maxConnections) {
      socket.end(errorResponse(`the embedded database accepts at most ${opts.maxConnections} connections`));
      return;
    }
    const session = new Session(nextId++, socket, db, turns, listeners, (gone) => sessions.delete(gone));
    sessions.add(session);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  return {
    port,
    stats: () => ({ connections: sessions.size, waiting: turns.queued }),
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      const deadline = Date.now() + 5_000;
      while (sessions.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await closed;
    },
  };
}

import { TRPCClientError } from '@trpc/client';

/** Ids drawn in the browser: randomUUID needs a secure context (https or localhost), getRandomValues does not. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * True when a failed request must be sent again as it was, under the same key: the registry gave no
 * answer (the connection failed, or a fault on its side, after which nobody can say whether the change
 * was made), or it asked for a fresh passkey confirmation first (nothing was done yet). Any other
 * refusal is an answer: nothing was recorded, and the next confirmation is a request of its own.
 */
export function leavesRequestOpen(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return true;
  const data = (error as TRPCClientError<never>).data as { stepUpRequired?: boolean; httpStatus?: number } | undefined;
  if (data?.stepUpRequired === true) return true;
  return data?.httpStatus === undefined || data.httpStatus >= 500;
}

/**
 * The idempotency keys of one form (server/api/input-bounds.ts, `idempotencyKeyOf`): one key per
 * confirmation of each act the form offers (`act` tells a row's "Suspend" from its "Revoke"). The key
 * is drawn at the act's first confirmation, kept while the request stays open (see `leavesRequestOpen`:
 * a network error, a passkey confirmation asked in between), so that the retry is the same request and
 * the registry records it once; and renewed once the registry has answered, whatever the answer.
 */
export class RequestKeys {
  private readonly open = new Map<string, string>();

  constructor(private readonly draw: () => string = newIdempotencyKey) {}

  async send<T>(request: (idempotencyKey: string) => Promise<T>, act = 'form'): Promise<T> {
    const key = this.open.get(act) ?? this.draw();
    this.open.set(act, key);
    try {
      const answer = await request(key);
      this.settle(act, key);
      return answer;
    } catch (error) {
      if (!leavesRequestOpen(error)) this.settle(act, key);
      throw error;
    }
  }

  /** The form is reset (opened again): every act starts with a new key. */
  reset(): void {
    this.open.clear();
  }

  /** Renews the act's key, unless a later confirmation already drew another. */
  private settle(act: string, key: string): void {
    if (this.open.get(act) === key) this.open.delete(act);
  }
}

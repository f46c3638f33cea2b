import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { leavesRequestOpen, RequestKeys } from './request-keys';

/** A tRPC error as the client receives it from the registry's error formatter. */
const answered = (httpStatus: number, data: Record<string, unknown> = {}) => new TRPCClientError('refused', { result: { error: { message: 'refused', code: -32600, data: { httpStatus, ...data } } } as never });
const unreachable = () => new TRPCClientError('fetch failed', { cause: new TypeError('fetch failed') });

function counter() {
  let n = 0;
  return () => `key-${++n}`;
}

describe('one idempotency key per confirmed form', () => {
  it('keeps the key across a retry after a network error, a fault of the registry and a passkey confirmation', async () => {
    const keys = new RequestKeys(counter());
    const sent: string[] = [];
    for (const failure of [unreachable(), answered(500), answered(403, { stepUpRequired: true })]) {
      await expect(keys.send(async (key) => (sent.push(key), Promise.reject(failure)))).rejects.toBe(failure);
    }
    expect(await keys.send(async (key) => (sent.push(key), 'recorded'))).toBe('recorded');
    expect(sent).toEqual(['key-1', 'key-1', 'key-1', 'key-1']);
  });

  it('draws a new key once the registry has answered: a success, a ledger refusal (an answer too) or a refusal', async () => {
    const keys = new RequestKeys(counter());
    const sent: string[] = [];
    await keys.send(async (key) => (sent.push(key), { status: 'REJECTED' }));
    await expect(keys.send(async (key) => (sent.push(key), Promise.reject(answered(409))))).rejects.toThrow();
    await expect(keys.send(async (key) => (sent.push(key), Promise.reject(answered(400))))).rejects.toThrow();
    await keys.send(async (key) => (sent.push(key), { status: 'RECORDED' }));
    expect(sent).toEqual(['key-1', 'key-2', 'key-3', 'key-4']);
  });

  it('gives each act of a form its own key, and new keys when the form is reset', async () => {
    const keys = new RequestKeys(counter());
    const sent: string[] = [];
    await expect(keys.send(async (key) => (sent.push(`revoke ${key}`), Promise.reject(unreachable())), 'revoke:g-1')).rejects.toThrow();
    await keys.send(async (key) => (sent.push(`suspend ${key}`), 'ok'), 'suspend:g-2');
    await keys.send(async (key) => (sent.push(`revoke ${key}`), 'ok'), 'revoke:g-1');
    await expect(keys.send(async (key) => (sent.push(`revoke ${key}`), Promise.reject(unreachable())), 'revoke:g-3')).rejects.toThrow();
    keys.reset();
    await keys.send(async (key) => (sent.push(`revoke ${key}`), 'ok'), 'revoke:g-3');
    expect(sent).toEqual(['revoke key-1', 'suspend key-2', 'revoke key-1', 'revoke key-3', 'revoke key-4']);
  });

  it('sends a second click made while the first is on its way under the same key', async () => {
    const keys = new RequestKeys(counter());
    const sent: string[] = [];
    let release: () => void = () => undefined;
    const first = keys.send((key) => (sent.push(key), new Promise<void>((resolve) => (release = resolve))));
    const second = keys.send(async (key) => void sent.push(key));
    await second;
    release();
    await first;
    await keys.send(async (key) => void sent.push(key));
    expect(sent).toEqual(['key-1', 'key-1', 'key-2']);
  });

  it('treats only answers the registry gave as final', () => {
    expect(leavesRequestOpen(new Error('not from the registry'))).toBe(true);
    expect(leavesRequestOpen(unreachable())).toBe(true);
    expect(leavesRequestOpen(answered(503))).toBe(true);
    expect(leavesRequestOpen(answered(403, { stepUpRequired: true }))).toBe(true);
    expect(leavesRequestOpen(answered(403, { stepUpRequired: false }))).toBe(false);
    expect(leavesRequestOpen(answered(404))).toBe(false);
  });
});

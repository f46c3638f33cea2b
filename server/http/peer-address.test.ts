import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress, clientAddressFromHeaders, PEER_ADDRESS_HEADER, socketAddress } from './peer-address';
import { createRegistryServer } from './registry-server';

describe('the client address used for throttling', () => {
  it('is the socket\'s address without trusted proxies, whatever X-Forwarded-For claims', () => {
    expect(clientAddress({ peer: '192.0.2.7', forwardedFor: '5.5.5.5' }, 0)).toBe('192.0.2.7');
    expect(clientAddress({ peer: '192.0.2.7', forwardedFor: '6.6.6.6, 5.5.5.5' }, 0)).toBe('192.0.2.7');
    expect(clientAddress({ peer: '192.0.2.7', forwardedFor: null }, 0)).toBe('192.0.2.7');
    expect(clientAddress({ peer: null, forwardedFor: '5.5.5.5' }, 0)).toBe('unknown');
  });

  it('is the N-th X-Forwarded-For entry from the right behind N trusted proxies, never a claim further left', () => {
    // The client claimed "spoofed"; the outer proxy appended the client's real address 203.0.113.9.
    expect(clientAddress({ peer: '10.0.0.2', forwardedFor: 'spoofed, 203.0.113.9' }, 1)).toBe('203.0.113.9');
    // Two proxies: the outer appended 203.0.113.9, the inner appended the outer's 10.0.0.1.
    expect(clientAddress({ peer: '10.0.0.2', forwardedFor: 'spoofed, 203.0.113.9, 10.0.0.1' }, 2)).toBe('203.0.113.9');
    expect(clientAddress({ peer: '10.0.0.2', forwardedFor: '203.0.113.9' }, 2)).toBe('203.0.113.9');
    expect(clientAddress({ peer: '10.0.0.2', forwardedFor: '' }, 1)).toBe('10.0.0.2');
  });

  it('drops the IPv4-mapped prefix of a socket address', () => {
    expect(socketAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(socketAddress('::1')).toBe('::1');
    expect(socketAddress(undefined)).toBe('unknown');
  });
});

describe('the registry\'s HTTP server', () => {
  let server: ReturnType<typeof createRegistryServer>;
  let base: string;
  beforeAll(async () => {
    // The handler answers with the address the application would throttle on, as the sign-in does.
    server = createRegistryServer((request, response) => {
      response.end(JSON.stringify({ address: clientAddressFromHeaders(request.headers as Record<string, string>, 0), stamped: request.headers[PEER_ADDRESS_HEADER] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('stamps each request with the socket\'s address, replacing a forged stamp and ignoring a forged X-Forwarded-For', async () => {
    const forged: Record<string, string>[] = [{}, { 'x-forwarded-for': '5.5.5.5' }, { 'x-forwarded-for': '6.6.6.6', [PEER_ADDRESS_HEADER]: '6.6.6.6' }];
    for (const headers of forged) {
      const answer = (await (await fetch(base, { headers })).json()) as { address: string; stamped: string };
      expect(answer).toEqual({ address: '127.0.0.1', stamped: '127.0.0.1' });
    }
  });
});

import type { IncomingMessage } from 'node:http';

/**
 * The network address of the client, as the registry's own HTTP server saw the connection.
 *
 * Next.js route handlers do not see the socket, so the server that accepts connections
 * (`scripts/serve.ts`) writes the socket's address into this header on every request, replacing
 * whatever a client sent under the same name. Nothing else may set it.
 */
export const PEER_ADDRESS_HEADER = 'x-registry-peer-address';

/** The socket's address without the IPv4-mapped prefix (`::ffff:127.0.0.1` is `127.0.0.1`). */
export function socketAddress(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  return remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.') ? remoteAddress.slice(7) : remoteAddress;
}

/** Stamps the request with its connection's address, overwriting any header of that name the client sent. */
export function stampPeerAddress(request: IncomingMessage): void {
  request.headers[PEER_ADDRESS_HEADER] = socketAddress(request.socket.remoteAddress);
}

/**
 * The client's address for throttling, decided in one place.
 * - No trusted proxy (`trustedHops` 0): the socket's address. `X-Forwarded-For` is the client's own
 *   claim then, and is ignored.
 * - `trustedHops` N: the N-th entry of `X-Forwarded-For` from the right, the one the outermost trusted
 *   proxy appended; entries further left are the client's claims. With fewer entries than trusted
 *   proxies, the leftmost one (written by a proxy all the same); with none, the socket's address.
 */
export function clientAddress(request: { peer: string | null | undefined; forwardedFor: string | null | undefined }, trustedHops: number): string {
  const peer = request.peer && request.peer.trim() !== '' ? request.peer.trim() : 'unknown';
  if (trustedHops <= 0) return peer;
  const hops = (request.forwardedFor ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  if (hops.length === 0) return peer;
  return hops[Math.max(0, hops.length - trustedHops)]!;
}

/** The same, from a Fetch API `Headers` (route handlers) or a plain header record (next-auth's request). */
export function clientAddressFromHeaders(headers: Headers | Record<string, string | string[] | undefined> | undefined, trustedHops: number): string {
  const get = (name: string): string | null => {
    if (!headers) return null;
    if (headers instanceof Headers) return headers.get(name);
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? null);
  };
  return clientAddress({ peer: get(PEER_ADDRESS_HEADER), forwardedFor: get('x-forwarded-for') }, trustedHops);
}

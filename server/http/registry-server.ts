import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { stampPeerAddress } from './peer-address';

/**
 * The registry's HTTP server: every request is stamped with its connection's address (see
 * `peer-address.ts`), then handed to Next.js. `scripts/serve.ts` runs it in production and development.
 */
export function createRegistryServer(handle: (request: IncomingMessage, response: ServerResponse) => Promise<void> | void): Server {
  return createServer((request, response) => {
    stampPeerAddress(request);
    Promise.resolve(handle(request, response)).catch((error: unknown) => {
      console.error('Request failed outside the application:', error);
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      }
      response.end('Something went wrong on our side.');
    });
  });
}

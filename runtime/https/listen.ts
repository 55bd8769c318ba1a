// Listening and graceful closing for the HTTPS server.
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseListenAddr } from '../observability/listen-addr.js';

/** What the servers need of a Hono app (any env or schema): its fetch handler. */
export type FetchApp = { readonly fetch: (request: Request) => Response | Promise<Response> };

export type Listening = { readonly host: string; readonly port: number };

export async function listen(server: HttpServer, addr: string): Promise<Listening> {
  const parsed = parseListenAddr(addr);
  if (!parsed) throw new Error(`listen address "${addr}" disables the listener, but this one is required`);
  const { host, port } = parsed;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`listen on ${addr}`, { cause: err }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const info = server.address() as AddressInfo;
  return { host: info.address, port: info.port };
}

/**
 * Stops accepting connections, lets requests in flight finish, drops idle keep-alive connections at
 * once, and cuts whatever is still open after `graceMs`.
 */
export function closeServer(server: HttpServer, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

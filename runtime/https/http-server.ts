// A plain-HTTP listener for a Hono app: the health port (/healthz, /readyz), reachable by the kubelet
// without client certificates.
import http from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { closeServer, listen, type FetchApp } from './listen.js';

export type HttpServer = { readonly host: string; readonly port: number; close(): Promise<void> };

export async function startHttpServer(opts: { readonly app: FetchApp; readonly addr: string }): Promise<HttpServer> {
  const server = http.createServer(getRequestListener(opts.app.fetch));
  const where = await listen(server, opts.addr);
  return { ...where, close: () => closeServer(server, 1_000) };
}

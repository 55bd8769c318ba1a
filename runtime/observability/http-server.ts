// Plain-HTTP server for /metrics (Prometheus text format), /healthz (the process is alive) and /readyz
// (every registered readiness check passes). One small node:http handler: three fixed routes do not need
// a router, and this keeps the metrics port free of the webhook's TLS stack.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { parseListenAddr } from './listen-addr.js';
import type { RegistrarMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';

export type ObservabilityServerOptions = {
  /** `metrics_addr` / `metrics_bind_addr`: ":8080", "127.0.0.1:0", or "0" to disable. */
  readonly addr: string;
  readonly metrics: RegistrarMetrics;
  readonly readiness: Readiness;
  readonly log?: Logger;
};

export type ObservabilityServer = {
  /** e.g. "http://127.0.0.1:41234" (an all-interfaces listener reports 127.0.0.1). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
};

function send(res: ServerResponse, status: number, contentType: string, body: string) {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

export function observabilityHandler(opts: Pick<ObservabilityServerOptions, 'metrics' | 'readiness' | 'log'>) {
  return async function handleObservability(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return send(res, 200, 'text/plain', 'ok\n');
      case '/readyz': {
        const r = opts.readiness.report();
        return r.ready
          ? send(res, 200, 'text/plain', 'ok\n')
          : send(res, 503, 'text/plain', `not ready: ${r.failing.join(', ')}\n`);
      }
      case '/metrics':
        try {
          const body = await opts.metrics.registry.metrics();
          return send(res, 200, opts.metrics.registry.contentType, body);
        } catch (err) {
          opts.log?.error({ err }, 'Failed to collect metrics');
          return send(res, 500, 'text/plain', 'failed to collect metrics\n');
        }
      default:
        return send(res, 404, 'text/plain', 'not found\n');
    }
  };
}

/** Starts listening; resolves `undefined` when `addr` is "0" (disabled). */
export async function startObservabilityServer(opts: ObservabilityServerOptions): Promise<ObservabilityServer | undefined> {
  const listen = parseListenAddr(opts.addr);
  if (!listen) {
    opts.log?.info('Metrics and health server disabled');
    return undefined;
  }
  const handler = observabilityHandler(opts);
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(new Error(`listen on ${opts.addr}`, { cause })));
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = listen.host === undefined || address === '::' || address === '0.0.0.0' ? '127.0.0.1' : address;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  opts.log?.info({ addr: opts.addr, port }, 'Serving metrics and health checks');
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

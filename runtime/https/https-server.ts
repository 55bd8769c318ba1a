// An HTTPS listener for a Hono app (webhook mode's /validate; crd mode's SpiffeID webhook): TLS 1.2+,
// optional client-certificate verification against a CA file, and the files re-read while running so
// that a rotated Secret takes effect without a restart (server.setSecureContext keeps the listener).
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { closeServer, listen, type FetchApp } from './listen.js';
import { readTlsFiles, sameTlsFiles, TlsFilesError, type TlsFiles } from './tls-files.js';

export type HttpsServerOptions = {
  readonly app: FetchApp;
  /** `host:port`, `:port` or `[v6]:port`. */
  readonly addr: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** CA bundle that client certificates must chain to; required when `requireClientCert`. */
  readonly caPath?: string;
  readonly requireClientCert: boolean;
  readonly logger: Logger;
  /** How often the certificate files are checked for new content; default 10 s. */
  readonly reloadIntervalMs?: number;
  /** How long close() waits for requests in flight before cutting connections; default 5 s. */
  readonly closeGraceMs?: number;
};

export type HttpsServer = {
  readonly host: string;
  readonly port: number;
  /** Re-reads the files now; true when a new certificate, key or CA took effect. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
};

export async function startHttpsServer(opts: HttpsServerOptions): Promise<HttpsServer> {
  if (opts.requireClientCert && !opts.caPath) throw new Error('client certificate verification needs a CA file (caPath)');
  const log = opts.logger;
  const paths = { certPath: opts.certPath, keyPath: opts.keyPath, ...(opts.requireClientCert ? { caPath: opts.caPath } : {}) };
  // Start-up failures lead with the original's words (server.go NewServer), so log searches still match.
  let current = await readTlsFiles(paths).catch((err: unknown) => {
    const keypair = !(err instanceof TlsFilesError) || err.unreadable.some((f) => f !== 'CA certificate');
    const what = keypair ? 'unable to load server keypair' : 'unable to read cacert file';
    throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });

  let server: https.Server;
  try {
    server = https.createServer(
      {
        ...secureOptions(current),
        minVersion: 'TLSv1.2',
        requestCert: opts.requireClientCert,
        rejectUnauthorized: opts.requireClientCert,
      },
      getRequestListener(opts.app.fetch),
    );
  } catch (err) {
    // e.g. a key that does not belong to the certificate
    throw new Error(`unable to load server keypair: ${withCause(err)}`, { cause: err });
  }
  server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
    log.debug({ err, remote_address: socket.remoteAddress }, 'TLS handshake failed');
  });

  let reloading = false;
  const reload = async (): Promise<boolean> => {
    if (reloading) return false;
    reloading = true;
    try {
      const next = await readTlsFiles(paths);
      if (sameTlsFiles(next, current)) return false;
      // Throws on a key that does not match the certificate, e.g. when only one file of a pair has been
      // swapped so far; the next check picks up the complete pair.
      server.setSecureContext(secureOptions(next));
      current = next;
      log.info({ cert_path: opts.certPath }, 'Reloaded TLS certificate');
      return true;
    } catch (err) {
      log.warn({ err, cert_path: opts.certPath }, 'TLS files not reloaded; keeping the current certificate');
      return false;
    } finally {
      reloading = false;
    }
  };
  const timer = setInterval(() => void reload(), opts.reloadIntervalMs ?? 10_000);
  timer.unref();

  let where;
  try {
    where = await listen(server, opts.addr);
  } catch (err) {
    clearInterval(timer);
    throw new Error(`unable to listen: ${withCause(err)}`, { cause: err });
  }
  return {
    ...where,
    reload,
    async close() {
      clearInterval(timer);
      await closeServer(server, opts.closeGraceMs ?? 5_000);
    },
  };
}

/** `message: cause's message`, one level deep: what the wrapped error says without its stack. */
function withCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}

function secureOptions(files: TlsFiles): https.ServerOptions {
  return { cert: files.cert, key: files.key, ...(files.ca ? { ca: files.ca } : {}) };
}

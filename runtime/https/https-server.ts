// An HTTPS listener for a Hono app (webhook mode's /validate; crd mode's SpiffeID webhook): TLS 1.2+ with
// AEAD cipher suites only, optional client-certificate verification against a CA file, and the files
// re-read while running so that a rotated Secret takes effect without a restart (server.setSecureContext
// keeps the listener); new files are checked as a set first and the old context kept when they fail.
// Slow or silent clients are bounded (connection-limits.ts): the only legitimate client is the API
// server, which gives up on a webhook call after its timeoutSeconds (at most 30 s) anyway.
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { closeServer, listen, type FetchApp } from './listen.js';
import { applyConnectionLimits, defaultConnectionLimits, type ConnectionLimits } from './connection-limits.js';
import { checkTlsFiles, readTlsFiles, sameTlsFiles, TlsFilesError, type TlsFiles } from './tls-files.js';

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
  /** Timeouts and the connection cap; defaults in connection-limits.ts. */
  readonly limits?: Partial<ConnectionLimits>;
};

// TLS 1.3's suites are all AEAD; for TLS 1.2 only ECDHE key exchange with GCM or ChaCha20-Poly1305, so
// no CBC/SHA-1 suite and no static-RSA key exchange is ever negotiated. The TLS 1.3 names must be listed
// too: Node turns TLS 1.3 off when the cipher list names none of its suites.
export const serverCiphers = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

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
  try {
    checkTlsFiles(current, paths);
  } catch (err) {
    const what = err instanceof TlsFilesError && err.unreadable.every((f) => f === 'CA certificate') ? 'unable to read cacert file' : 'unable to load server keypair';
    throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const limits = { ...defaultConnectionLimits, ...opts.limits };

  let server: https.Server;
  try {
    server = https.createServer(
      {
        ...secureOptions(current),
        minVersion: 'TLSv1.2',
        ciphers: serverCiphers,
        honorCipherOrder: true,
        requestCert: opts.requireClientCert,
        rejectUnauthorized: opts.requireClientCert,
        handshakeTimeout: limits.handshakeTimeoutMs,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: limits.checkIntervalMs,
      },
      getRequestListener(opts.app.fetch),
    );
    applyConnectionLimits(server, limits);
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
      // Throws on a key that does not match the certificate (e.g. when only one file of a pair has been
      // swapped so far; the next check picks up the complete pair) and on a CA file without certificates.
      checkTlsFiles(next, paths);
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

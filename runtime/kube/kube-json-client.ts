// A lean JSON-over-HTTP(S) request path to the API server, for crd mode's SpiffeID writes (~600 a second
// under churn at 10k pods). A call through client-node's generated clients builds a RequestContext, a
// URL, header and middleware objects, runs ObjectSerializer over the body both ways and goes through
// node-fetch (its Request, Headers and Body streams); this one sends the same request with node:http(s)
// on a keep-alive agent (keep-alive.ts) and parses only the answers its caller reads.
//
// Credentials come from the KubeConfig itself, on every request: `applyToHTTPSOptions` is client-node's
// own way of turning the current user and cluster into headers and TLS material (its Watch uses it), so a
// token file is re-read as client-node re-reads it (FileAuth, after 60 s) and certificate files as it
// reads them. It handles what its tests cover: a static bearer token, a token file (in-cluster), basic
// auth and client certificates, over https or over http with insecure-skip-tls-verify (client-node
// allows http only then). For anything else (an exec plugin, another auth provider, a proxy, no current
// user) `leanKubeClient` answers undefined and callers keep client-node.
//
// On the wire the requests are client-node's: method, path (the cluster's server URL + path, joined as
// client-node joins them), Accept, Content-Type, Authorization, User-Agent and Accept-Encoding headers,
// the JSON body. A failure is client-node's ApiException (code = HTTP status, same message and body), a
// network error names the URL as node-fetch does; nothing is ever resent.
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { gunzipSync, inflateSync } from 'node:zlib';
import { ApiException, type KubeConfig } from '../../adapters/client-node.js';
import { keepAliveAgents, type AgentOptions, type KeepAliveOptions } from './keep-alive.js';

export type KubeJsonRequest = {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute API path, e.g. /apis/spiffeid.spiffe.io/v1beta1/namespaces/ns/spiffeids (segments already encoded). */
  readonly path: string;
  readonly body?: unknown;
  /** Content-Type of the body; default application/json. */
  readonly contentType?: string;
  /** Whether the caller reads the answer: parsed only then (a write's answer is a whole object). */
  readonly answer?: boolean;
};

export type KubeJsonClient = {
  /** Resolves with the parsed answer (`answer: true`) or undefined on 2xx; rejects with ApiException otherwise. */
  send(r: KubeJsonRequest): Promise<unknown>;
};

// What client-node sends (its generated clients through node-fetch 2), kept so the API server's audit log
// and any proxy see the registrar's writes as before.
const ACCEPT = 'application/json, */*;q=0.8';
const USER_AGENT = 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)';
const ACCEPT_ENCODING = 'gzip,deflate';

/**
 * Bounds on what a broken or hostile API server can make a write cost: a SpiffeID (or an error about one)
 * is a few KiB and etcd stores at most ~1.5 MiB per object, so 8 MiB, also after decompression; and one
 * deadline per request, generous for a queueing API server, so a server that never answers or never ends
 * its body cannot hold a pass forever. Hitting either fails the request; it is never resent.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
export const REQUEST_TIMEOUT_MS = 30_000;

export type KubeJsonClientOptions = KeepAliveOptions & {
  /** Default REQUEST_TIMEOUT_MS. */
  readonly requestTimeoutMs?: number;
  /** Default MAX_ANSWER_BYTES. */
  readonly maxAnswerBytes?: number;
};

/** Why the lean path does not handle this KubeConfig (undefined: it does). */
export function leanUnsupported(kubeConfig: KubeConfig): string | undefined {
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  if (!cluster || !user) return 'no current cluster or user';
  if (cluster.proxyUrl) return 'a proxy';
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    return 'a server URL that does not parse';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && cluster.skipTLSVerify)) return `a ${url.protocol} server`;
  if (url.search !== '' || url.hash !== '' || url.username !== '') return 'a server URL with a query, fragment or user';
  if (user.exec) return 'an exec credential plugin';
  const provider = user.authProvider as { name?: string; config?: { tokenFile?: string } } | undefined;
  if (provider && !(provider.name === 'tokenFile' && provider.config?.tokenFile)) return `the ${provider.name ?? 'unnamed'} auth provider`;
  return undefined;
}

export function leanKubeClient(kubeConfig: KubeConfig, opts: KubeJsonClientOptions = {}): KubeJsonClient | undefined {
  if (leanUnsupported(kubeConfig) !== undefined) return undefined;
  const server = (kubeConfig.getCurrentCluster() as { server: string }).server;
  const url = new URL(server);
  const secure = url.protocol === 'https:';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? undefined : Number(url.port);
  // client-node appends the path to the server string: "https://h" -> /apis/..., "https://h/k8s" -> /k8s/apis/...
  const prefix = server.endsWith('/') ? url.pathname : url.pathname === '/' ? '' : url.pathname;
  const agents = keepAliveAgents(opts);
  const send = secure ? https.request : http.request;
  const timeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const maxBytes = opts.maxAnswerBytes ?? MAX_ANSWER_BYTES;

  return {
    async send(r) {
      // Headers (Authorization, Impersonate-User), basic auth and TLS material, as client-node makes them.
      const o: { headers?: Record<string, string>; auth?: string } & AgentOptions = {};
      await kubeConfig.applyToHTTPSOptions(o as https.RequestOptions);
      const agent = agents(secure, o);
      const payload = r.body === undefined ? undefined : JSON.stringify(r.body);
      const headers: OutgoingHttpHeaders = {
        Accept: ACCEPT,
        ...(payload !== undefined ? { 'Content-Type': r.contentType ?? 'application/json' } : {}),
        ...o.headers,
        ...(payload !== undefined ? { 'Content-Length': Buffer.byteLength(payload) } : {}),
        'User-Agent': USER_AGENT,
        'Accept-Encoding': ACCEPT_ENCODING,
      };
      const path = prefix + r.path;
      return new Promise<unknown>((resolve, reject) => {
        let settled = false;
        let deadline: ReturnType<typeof setTimeout> | undefined;
        const fail = (err: unknown) => {
          clearTimeout(deadline);
          if (settled) return;
          settled = true;
          reject(err);
        };
        const abandon = (message: string, code: string) => {
          const err = Object.assign(new Error(message), { code });
          fail(networkError(url.origin + path, err));
          req.destroy(err);
        };
        const req = send({ hostname, port, path, method: r.method, headers, agent, ...(o.auth ? { auth: o.auth } : {}) }, (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            if (bytes > maxBytes) abandon(`answer larger than ${maxBytes} bytes`, 'E2BIG');
            else chunks.push(c);
          });
          res.on('error', (err) => fail(networkError(url.origin + path, err)));
          // The connection ended inside the answer (the status line came, the body did not).
          res.on('close', () => {
            if (!res.complete) fail(networkError(url.origin + path, Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
          });
          res.on('end', () => {
            clearTimeout(deadline);
            if (settled) return;
            settled = true;
            try {
              resolve(answer(r, res.statusCode ?? 0, res.headers, Buffer.concat(chunks), maxBytes));
            } catch (err) {
              reject(err);
            }
          });
        });
        req.on('error', (err) => fail(networkError(url.origin + path, err)));
        deadline = setTimeout(() => abandon(`no complete answer within ${timeoutMs} ms`, 'ETIMEDOUT'), timeoutMs);
        req.end(payload);
      });
    },
  };
}

function answer(r: KubeJsonRequest, status: number, headers: IncomingHttpHeaders, raw: Buffer, maxBytes: number): unknown {
  const ok = status >= 200 && status <= 299;
  if (ok && !r.answer) return undefined;
  const encoding = headers['content-encoding'];
  // The same bound after decompression: a small compressed answer may expand a thousandfold.
  const limit = { maxOutputLength: maxBytes };
  const body = (encoding === 'gzip' ? gunzipSync(raw, limit) : encoding === 'deflate' ? inflateSync(raw, limit) : raw).toString('utf8');
  if (!ok) {
    // As client-node's generated clients: 401 without a body, any other status with the body as text.
    throw status === 401 ? new ApiException(status, 'Unauthorized', undefined, plainHeaders(headers)) : new ApiException(status, 'Unknown API Status Code!', body, plainHeaders(headers));
  }
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === '') throw new Error('Cannot parse content. No Content-Type defined.');
  if (type.startsWith('text/')) return body;
  return JSON.parse(body);
}

/** Response headers as client-node reports them (node-fetch's: one string per name). */
function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** As node-fetch reports a failed request: the URL and the reason, the socket error's code kept. */
function networkError(requestUrl: string, err: unknown): Error {
  const cause = err as NodeJS.ErrnoException;
  const e = new Error(`request to ${requestUrl} failed, reason: ${cause.message}`, { cause }) as NodeJS.ErrnoException;
  if (cause.code !== undefined) e.code = cause.code;
  return e;
}

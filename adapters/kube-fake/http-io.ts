// Reading request bodies and writing JSON answers for the fake API server's HTTP handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions } from './operations.js';
import { ApiError } from './status.js';

const MAX_BODY = 16 * 1024 * 1024;

export function deleteOptions(body: Buffer | undefined, q: URLSearchParams): DeleteOptions {
  const parsed = body && body.length > 0 ? parseJson(body) : {};
  const o = (parsed ?? {}) as { propagationPolicy?: unknown; preconditions?: { uid?: unknown; resourceVersion?: unknown } };
  const policy = o.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
  const out: DeleteOptions = {};
  if (policy === 'Foreground' || policy === 'Background' || policy === 'Orphan') out.propagationPolicy = policy;
  const pre = o.preconditions;
  if (pre && (typeof pre.uid === 'string' || typeof pre.resourceVersion === 'string')) {
    out.preconditions = {
      ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}),
      ...(typeof pre.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}),
    };
  }
  return out;
}

export function parsePatchBody(contentType: string, body: Buffer | undefined): unknown {
  if (contentType.startsWith('application/apply-patch')) return undefined; // refused with a Status by Operations.patch
  return parseJson(body);
}

export function parseJson(body: Buffer | undefined): unknown {
  if (!body || body.length === 0) throw new ApiError('BadRequest', 'the request body is empty');
  if (body.subarray(0, 4).toString('latin1') === 'k8s\u0000') {
    // kubectl's typed generators (create namespace, run, create deployment) send protobuf.
    throw new ApiError('UnsupportedMediaType', 'this fake API server accepts only JSON bodies, not protobuf; use `kubectl apply -f` or `kubectl create -f` with a manifest');
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ApiError('BadRequest', `the body of the request was not valid JSON: ${(err as Error).message}`);
  }
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError('BadRequest', 'request entity too large'));
        req.destroy();
      } else {
        chunks.push(c);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * An empty OpenAPI v2 document. kubectl fetches /openapi/v2 as protobuf (openapi_v2.Document); zero bytes
 * decode to an empty document, so kubectl's client-side validation finds no schema for any kind and skips
 * validation, as it does for kinds a real server does not describe. /openapi/v3 answers 404, which kubectl
 * treats as "not served" and falls back to v2. (Checked with kubectl v1.32, see test/integration/kube-fake-kubectl.)
 */
export function sendOpenApiV2(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'Content-Length': 0 });
  res.end();
}

export function sendJson(res: ServerResponse, code: number, json: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}

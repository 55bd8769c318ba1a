// The HTTP face of the fake API server: reads the request, routes it, calls an operation and writes JSON.
// Every failure, unknown path or unsupported verb is answered with a Kubernetes Status, never a hang.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { coreVersions, group, groupList, resourceList, versionInfo } from './discovery.js';
import { listJson, selectItems } from './list.js';
import type { DeleteOptions, Operations, Target } from './operations.js';
import { type Route, route } from './router.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError } from './status.js';
import type { StoredObject } from './store.js';
import { type PrinterColumn, tableJson, wantsTable } from './table.js';
import { type ResourceType, resourceKey } from './types.js';
import type { WatchHub } from './watch-hub.js';

export type RequestCounters = Map<string, number>;

export type HandlerContext = {
  ops: Operations;
  hub: WatchHub;
  counters: RequestCounters;
  delayMs: () => number;
  now: () => Date;
  serverAddress: () => string;
};

const MAX_BODY = 16 * 1024 * 1024;

export function createHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      const apiErr = err instanceof ApiError ? err : new ApiError('InternalError', `fake API server: ${(err as Error)?.message ?? String(err)}`);
      if (res.headersSent) res.destroy();
      else sendJson(res, apiErr.code, JSON.stringify(apiErr.toStatus()));
    });
  };
}

async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = req.method ?? 'GET';
  const r = route(url.pathname);
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
  const delay = ctx.delayMs();
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  if (r.kind === 'openapi' && r.path.replace(/\/$/, '') === '/openapi/v2' && method === 'GET') {
    count(ctx.counters, 'discovery', 'openapi');
    sendOpenApiV2(res);
    return;
  }
  if (r.kind !== 'resource') {
    count(ctx.counters, method === 'GET' ? 'discovery' : method.toLowerCase(), r.kind);
    const doc = discoveryDoc(ctx, r);
    if (doc === undefined) throw new ApiError('NotFound', 'the server could not find the requested resource');
    if (method !== 'GET') throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
    sendJson(res, 200, JSON.stringify(doc));
    return;
  }
  await resourceRequest(ctx, r, method, url.searchParams, req.headers['content-type'] ?? '', body, res, method === 'GET' && wantsTable(req.headers.accept));
}

function discoveryDoc(ctx: HandlerContext, r: Route): object | undefined {
  const registry = ctx.ops.registry;
  switch (r.kind) {
    case 'version': return versionInfo();
    case 'health': return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
    case 'core-versions': return coreVersions(ctx.serverAddress());
    case 'groups': return groupList(registry);
    case 'group': return group(registry, r.group);
    case 'resources': return resourceList(registry, r.group, r.version);
    default: return undefined;
  }
}

async function resourceRequest(
  ctx: HandlerContext, r: Extract<Route, { kind: 'resource' }>, method: string, q: URLSearchParams,
  contentType: string, body: Buffer | undefined, res: ServerResponse, table: boolean,
): Promise<void> {
  const type = ctx.ops.registry.find(r.group, r.version, r.resource);
  if (!type) {
    count(ctx.counters, method.toLowerCase(), r.resource);
    throw new ApiError('NotFound', 'the server could not find the requested resource');
  }
  if (r.subresource !== undefined && !(r.subresource === 'status' && type.statusSubresource)) {
    throw new ApiError('NotFound', 'the server could not find the requested resource');
  }
  if (r.name !== undefined && type.namespaced && r.namespace === undefined) {
    throw new ApiError('NotFound', 'the server could not find the requested resource');
  }
  const t: Target = { type, version: r.version, namespace: type.namespaced ? (r.namespace ?? '') : '' };
  const sub = r.subresource === 'status' ? 'status' : undefined;
  const label = sub ? `${type.resource}/status` : type.resource;
  const dryRun = q.getAll('dryRun').includes('All');
  const warnings: string[] = [];
  const opts = { dryRun, warnings };
  let stored: StoredObject;
  let code = 200;
  if (r.name === undefined) {
    if (method === 'GET') {
      const labels = parseLabelSelector(q.get('labelSelector') ?? '');
      const fields = parseFieldSelector(q.get('fieldSelector') ?? '');
      if (typeof labels === 'string') throw new ApiError('BadRequest', `unable to parse requirement: ${labels}`);
      if (typeof fields === 'string') throw new ApiError('BadRequest', fields);
      const namespace = type.namespaced ? r.namespace : undefined;
      const watch = q.get('watch');
      if (watch === 'true' || watch === '1') {
        count(ctx.counters, 'watch', label);
        const timeout = q.get('timeoutSeconds');
        ctx.hub.open({
          resource: resourceKey(type.group, type.resource), kind: type.kind,
          apiVersion: type.group === '' ? r.version : `${type.group}/${r.version}`,
          ...(namespace !== undefined ? { namespace } : {}), labels, fields,
          resourceVersion: q.get('resourceVersion') ?? '',
          bookmarks: q.get('allowWatchBookmarks') === 'true',
          ...(timeout ? { timeoutSeconds: Number(timeout) } : {}),
          ...(table ? {
            table: {
              key: `${r.version}`,
              render: (obj, json) => tableJson(type, [{ obj, json }], obj.metadata.resourceVersion ?? '', ctx.now(), printerColumns(ctx, type, r.version)),
            },
          } : {}),
        }, res);
        return;
      }
      count(ctx.counters, 'list', label);
      const limit = q.get('limit');
      const cont = q.get('continue');
      const page = selectItems(ctx.ops.store, type, {
        ...(namespace !== undefined ? { namespace } : {}), labels, fields,
        ...(limit ? { limit: Number(limit) } : {}), ...(cont ? { continueToken: cont } : {}),
      });
      sendJson(res, 200, table ? tableJson(type, page.items, page.rv, ctx.now(), printerColumns(ctx, type, r.version)) : listJson(type, r.version, page));
      return;
    }
    if (method === 'POST' && (!type.namespaced || r.namespace !== undefined) && !sub) {
      count(ctx.counters, 'create', label);
      stored = await ctx.ops.create(t, parseJson(body), opts);
      code = 201;
    } else {
      throw methodNotAllowed(method, label);
    }
  } else if (method === 'GET') {
    count(ctx.counters, 'get', label);
    stored = ctx.ops.get(t, r.name);
    if (table) {
      sendJson(res, 200, tableJson(type, [stored], stored.obj.metadata.resourceVersion ?? '', ctx.now(), printerColumns(ctx, type, r.version)));
      return;
    }
  } else if (method === 'PUT') {
    count(ctx.counters, 'update', label);
    stored = await ctx.ops.update(t, r.name, parseJson(body), sub, opts);
  } else if (method === 'PATCH') {
    count(ctx.counters, 'patch', label);
    stored = await ctx.ops.patch(t, r.name, contentType, parsePatchBody(contentType, body), sub, opts);
  } else if (method === 'DELETE' && !sub) {
    count(ctx.counters, 'delete', label);
    const result = await ctx.ops.delete(t, r.name, { ...deleteOptions(body, q), ...opts });
    stored = result.stored;
    code = result.deleted ? 200 : 202;
  } else {
    throw methodNotAllowed(method, label);
  }
  if (warnings.length > 0) res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  const wanted = type.group === '' ? r.version : `${type.group}/${r.version}`;
  sendJson(res, code, stored.obj.apiVersion === wanted ? stored.json : JSON.stringify({ ...stored.obj, apiVersion: wanted }));
}

/** A custom resource's additionalPrinterColumns, from its CRD's version entry. */
function printerColumns(ctx: HandlerContext, type: ResourceType, version: string): PrinterColumn[] {
  if (!type.custom) return [];
  const crd = ctx.ops.store.get('customresourcedefinitions.apiextensions.k8s.io', '', `${type.resource}.${type.group}`)?.obj;
  const versions = ((crd?.['spec'] as { versions?: Array<{ name?: string; additionalPrinterColumns?: PrinterColumn[] }> } | undefined)?.versions) ?? [];
  return versions.find((v) => v.name === version)?.additionalPrinterColumns ?? [];
}

function deleteOptions(body: Buffer | undefined, q: URLSearchParams): DeleteOptions {
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

function methodNotAllowed(method: string, resource: string): ApiError {
  return new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource (${method} ${resource})`);
}

function count(counters: RequestCounters, verb: string, resource: string): void {
  const k = `${verb} ${resource}`;
  counters.set(k, (counters.get(k) ?? 0) + 1);
}

function parsePatchBody(contentType: string, body: Buffer | undefined): unknown {
  if (contentType.startsWith('application/apply-patch')) return undefined; // refused with a Status by Operations.patch
  return parseJson(body);
}

function parseJson(body: Buffer | undefined): unknown {
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

function readBody(req: IncomingMessage): Promise<Buffer> {
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
function sendOpenApiV2(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'Content-Length': 0 });
  res.end();
}

function sendJson(res: ServerResponse, code: number, json: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}

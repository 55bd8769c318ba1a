// The HTTP face of the fake API server: reads the request, routes it, calls an operation and writes JSON.
// Every failure, unknown path or unsupported verb is answered with a Kubernetes Status, never a hang.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { coreVersions, group, groupList, resourceList, versionInfo } from './discovery.js';
import { listJson, selectItems } from './list.js';
import { deleteOptions, parseJson, parsePatchBody, readBody, sendJson, sendOpenApiV2 } from './http-io.js';
import type { Operations, Target, UserInfo } from './operations.js';
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
  /** The user a request's bearer token stands for; undefined for an unknown token (401). */
  userOf: (authorization: string | undefined) => UserInfo | undefined;
};

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
  const user = ctx.userOf(req.headers.authorization);
  if (!user) throw new ApiError('Unauthorized', 'Unauthorized');
  if (r.kind === 'resource' && r.group === 'authentication.k8s.io' && r.resource === 'selfsubjectreviews' && method === 'POST') {
    // Ref: authentication.k8s.io/v1 SelfSubjectReview: the API server answers with the caller's own userInfo.
    count(ctx.counters, 'create', r.resource);
    sendJson(res, 201, JSON.stringify({
      apiVersion: `authentication.k8s.io/${r.version}`, kind: 'SelfSubjectReview',
      metadata: { creationTimestamp: ctx.now().toISOString().replace(/\.\d{3}Z$/, 'Z') }, status: { userInfo: user },
    }));
    return;
  }
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
  await resourceRequest(ctx, r, method, url.searchParams, req.headers['content-type'] ?? '', body, res, method === 'GET' && wantsTable(req.headers.accept), user);
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
  contentType: string, body: Buffer | undefined, res: ServerResponse, table: boolean, user: UserInfo,
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
  const opts = { dryRun, warnings, user };
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


function methodNotAllowed(method: string, resource: string): ApiError {
  return new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource (${method} ${resource})`);
}

function count(counters: RequestCounters, verb: string, resource: string): void {
  const k = `${verb} ${resource}`;
  counters.set(k, (counters.get(k) ?? 0) + 1);
}






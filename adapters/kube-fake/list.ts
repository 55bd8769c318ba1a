// List responses: selectors, limit/continue paging, and the list JSON assembled from the stored
// objects' cached serialisations (no re-serialisation of items).
import { type FieldRequirement, type LabelRequirement, matchesFields, matchesLabels } from './selectors.js';
import { ApiError } from './status.js';
import type { ObjectStore, StoredObject } from './store.js';
import { type ResourceType, apiVersionOf, resourceKey } from './types.js';

export type ListQuery = {
  namespace?: string;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  limit?: number;
  continueToken?: string;
};

export type ListPage = { items: StoredObject[]; rv: string; continueToken?: string; remaining?: number };

export function selectItems(store: ObjectStore, type: ResourceType, q: ListQuery): ListPage {
  const rv = String(store.resourceVersion);
  let items = store.list(resourceKey(type.group, type.resource), q.namespace).filter(
    (o) => matchesLabels(q.labels, o.obj.metadata.labels) && matchesFields(q.fields, o.obj),
  );
  if (q.continueToken) {
    const after = decodeContinue(q.continueToken);
    const start = items.findIndex((o) => position(o.obj.metadata) > after);
    items = start < 0 ? [] : items.slice(start);
  }
  if (q.limit !== undefined && q.limit > 0 && items.length > q.limit) {
    const last = items[q.limit - 1]!.obj.metadata;
    return { items: items.slice(0, q.limit), rv, continueToken: encodeContinue(position(last)), remaining: items.length - q.limit };
  }
  return { items, rv };
}

export function listJson(type: ResourceType, version: string, page: ListPage): string {
  const apiVersion = apiVersionOf(type.group, version);
  const more = page.continueToken ? `,"continue":${JSON.stringify(page.continueToken)},"remainingItemCount":${page.remaining ?? 0}` : '';
  const body = page.items.map((o) => (o.obj.apiVersion === apiVersion ? o.json : JSON.stringify({ ...o.obj, apiVersion }))).join(',');
  return `{"kind":${JSON.stringify(type.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":{"resourceVersion":"${page.rv}"${more}},"items":[${body}]}`;
}

/** Sort position matching ObjectStore.list order (namespace, then name). */
function position(meta: { namespace?: string; name?: string }): string {
  return `${meta.namespace ?? ''}\u0000${meta.name ?? ''}`;
}

function encodeContinue(pos: string): string {
  return Buffer.from(JSON.stringify({ after: pos }), 'utf8').toString('base64url');
}

function decodeContinue(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const after = (parsed as { after?: unknown }).after;
    if (typeof after === 'string') return after;
  } catch {
    // fall through to the Status below
  }
  throw new ApiError('BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion');
}

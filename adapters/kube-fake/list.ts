// List responses: selectors, limit/continue paging, and the list JSON assembled from the stored
// objects' cached serialisations (no re-serialisation of items).
import { type FieldRequirement, type LabelRequirement, matchesFields, matchesLabels } from './selectors.js';
import { ApiError } from './status.js';
import type { ObjectStore } from './store.js';
import { type ResourceType, apiVersionOf, resourceKey } from './types.js';

export type ListQuery = {
  namespace?: string;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  limit?: number;
  continueToken?: string;
};

export function listJson(store: ObjectStore, type: ResourceType, version: string, q: ListQuery): string {
  const apiVersion = apiVersionOf(type.group, version);
  const rv = String(store.resourceVersion);
  let items = store.list(resourceKey(type.group, type.resource), q.namespace).filter(
    (o) => matchesLabels(q.labels, o.obj.metadata.labels) && matchesFields(q.fields, o.obj),
  );
  if (q.continueToken) {
    const after = decodeContinue(q.continueToken);
    const start = items.findIndex((o) => position(o.obj.metadata) > after);
    items = start < 0 ? [] : items.slice(start);
  }
  let more = '';
  if (q.limit !== undefined && q.limit > 0 && items.length > q.limit) {
    const last = items[q.limit - 1]!.obj.metadata;
    more = `,"continue":${JSON.stringify(encodeContinue(position(last)))},"remainingItemCount":${items.length - q.limit}`;
    items = items.slice(0, q.limit);
  }
  const body = items.map((o) => (o.obj.apiVersion === apiVersion ? o.json : JSON.stringify({ ...o.obj, apiVersion }))).join(',');
  return `{"kind":${JSON.stringify(type.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":{"resourceVersion":"${rv}"${more}},"items":[${body}]}`;
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

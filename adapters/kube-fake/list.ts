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

/**
 * One page: binary search to the continue position in the store's sorted view, then a scan that stops
 * once the page is full and one more match is known to exist, so a paged listing costs O(n) in all rather
 * than O(n) per page. `remainingItemCount` is given only without selectors, as a real API server does
 * (counting the matches left would rescan the rest on every page).
 */
export function selectItems(store: ObjectStore, type: ResourceType, q: ListQuery): ListPage {
  const rv = String(store.resourceVersion);
  const all = store.sorted(resourceKey(type.group, type.resource), q.namespace);
  const unfiltered = q.labels.length === 0 && q.fields.length === 0;
  const matches = (o: StoredObject) => unfiltered || (matchesLabels(q.labels, o.obj.metadata.labels) && matchesFields(q.fields, o.obj));
  const limit = q.limit !== undefined && q.limit > 0 ? q.limit : Infinity;
  let i = q.continueToken ? firstAfter(all, decodeContinue(q.continueToken)) : 0;
  const items: StoredObject[] = [];
  for (; i < all.length && items.length < limit; i++) if (matches(all[i]!)) items.push(all[i]!);
  let more = false;
  for (let j = i; j < all.length && !more; j++) more = matches(all[j]!);
  if (!more) return { items, rv };
  const last = items[items.length - 1]!.obj.metadata;
  return { items, rv, continueToken: encodeContinue(position(last)), ...(unfiltered ? { remaining: all.length - i } : {}) };
}

/** Index of the first object whose position sorts after `after` (the view is in position order). */
function firstAfter(all: readonly StoredObject[], after: string): number {
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (position(all[mid]!.obj.metadata) > after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function listJson(type: ResourceType, version: string, page: ListPage): string {
  const apiVersion = apiVersionOf(type.group, version);
  const more = page.continueToken ? `,"continue":${JSON.stringify(page.continueToken)}${page.remaining !== undefined ? `,"remainingItemCount":${page.remaining}` : ''}` : '';
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

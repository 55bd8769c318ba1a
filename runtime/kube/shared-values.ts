// Values that informer projections share instead of holding a copy each. A cache of 10,000 pods or
// SpiffeIDs repeats the same namespaces, node names, parent IDs and condition texts thousands of times,
// and JSON.parse makes a new string for every occurrence; an empty list or map costs 32 to 56 bytes per
// object. Sharing changes nothing a reader can see: interned strings are equal, and the shared empties are
// frozen, so a caller that tried to change one would throw instead of changing every object.

import type { Entry } from '../../handlers/entries/entry.js';
import type { Pod } from '../../handlers/k8s/pod.js';

/** An empty list to share between projections (frozen). */
export const EMPTY_LIST: string[] = Object.freeze([]) as unknown as string[];

/** An empty string map to share between projections (frozen). */
export const EMPTY_MAP: Record<string, string> = Object.freeze({});

/** A projected pod's status when the handlers read none of it (frozen). */
export const NO_POD_STATUS: Pod['status'] = Object.freeze({ phase: '', podIP: '' });

/** A projected pod's containers when the handlers read none (the shared empty list). */
export const NO_CONTAINERS = EMPTY_LIST as unknown as Pod['spec']['containers'];

/** No owner references (the shared empty list). */
export const NO_OWNERS = EMPTY_LIST as unknown as Pod['metadata']['ownerReferences'];

/** Returns a string equal to its argument, the same object for equal strings seen since the last reset. */
export type Interner = (s: string) => string;

/**
 * A string table bounded at `limit` entries: when full it starts again empty, so values that are unique
 * per object (a field interned that turns out to be) cost at most `limit` entries and never grow it for
 * good, while the common values are shared again as soon as they reappear.
 */
export function createInterner(limit = 16_384): Interner {
  let table = new Map<string, string>();
  return (s) => {
    const held = table.get(s);
    if (held !== undefined) return held;
    if (table.size >= limit) table = new Map();
    table.set(s, s);
    return s;
  };
}

/** Interns every string of a list; the shared empty list for an empty one. */
export function internList(intern: Interner, list: readonly string[] | null | undefined): string[] {
  return list && list.length > 0 ? list.map(intern) : EMPTY_LIST;
}

/** Only `keys` of `from`, values interned; the shared empty map when none is present. */
export function pickInterned(intern: Interner, from: Readonly<Record<string, string>> | null | undefined, keys: readonly (string | undefined)[]): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const k of keys) {
    if (k === undefined || !from || !Object.hasOwn(from, k)) continue;
    (out ??= {})[k] = intern(from[k] as string);
  }
  return out ?? EMPTY_MAP;
}

/**
 * The same entry with its IDs and selectors interned: an index of 10,000 entries repeats the same parent
 * IDs, SPIFFE IDs, selector types and namespace/node selectors (and, with the interner the SpiffeID
 * projections use, shares them with those), where each decoded entry held its own copies.
 */
export function compactEntry(intern: Interner, e: Entry): Entry {
  return {
    ...e,
    spiffeId: intern(e.spiffeId),
    parentId: intern(e.parentId),
    selectors: e.selectors.map((s) => ({ type: intern(s.type), value: intern(s.value) })),
    federatesWith: internList(intern, e.federatesWith),
    dnsNames: e.dnsNames.length > 0 ? [...e.dnsNames] : EMPTY_LIST,
  };
}

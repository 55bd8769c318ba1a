// The informer's cache: the projections of one collection keyed by namespace/name, kept in step by a full
// list (diffed against what is held: what vanished is emitted as a delete, what changed as an upsert) or
// by one watch event, with the change listeners. Only what `project` returns is held.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import * as v from 'valibot';
import type { WatchEvent } from './list-watch-source.js';

export type ChangeKind = 'upsert' | 'delete';
export type ChangeListener = (key: string, kind: ChangeKind) => void;

export interface InformerCache<T> {
  /** Replaces the whole content with a fresh list, emitting the differences. */
  applyList(items: readonly unknown[]): void;
  /** As applyList, for a list delivered page by page: each page is projected as it comes (raw objects not kept). */
  beginList(): ListInProgress;
  /** Applies one watch event (a bookmark changes nothing); returns the resourceVersion it carried, if any. */
  applyEvent(e: WatchEvent): string | undefined;
  list(): T[];
  get(key: string): T | undefined;
  readonly size: number;
  onChange(listener: ChangeListener): () => void;
}

export type ListInProgress = {
  add(items: readonly unknown[]): void;
  /** Replaces the whole content with what was added, emitting the differences. */
  commit(): void;
};

export type InformerCacheOptions<T> = {
  readonly project: (raw: unknown) => T | undefined;
  readonly equals?: (a: T, b: T) => boolean;
  readonly log?: Logger;
};

/** The cache key: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

// A BOOKMARK's object carries only a resourceVersion (no name): it still moves the informer's
// resourceVersion on, which is what bookmarks are for, so the name is optional here.
const KeyMetaSchema = v.looseObject({
  metadata: v.looseObject({
    name: v.optional(v.string()),
    namespace: v.optional(v.string()),
    resourceVersion: v.optional(v.string()),
  }),
});

function rawKey(raw: unknown): { key: string | undefined; resourceVersion: string | undefined } | undefined {
  const r = v.safeParse(KeyMetaSchema, raw);
  if (!r.success) return undefined;
  const { name, namespace, resourceVersion } = r.output.metadata;
  return { key: name ? objectKey(namespace, name) : undefined, resourceVersion };
}

/** A `project` function from a valibot schema and a field pick; objects that fail the schema are skipped. */
export function projection<S extends v.GenericSchema, T>(
  schema: S,
  pick: (parsed: v.InferOutput<S>) => T | undefined,
  onInvalid?: (raw: unknown, issues: readonly v.BaseIssue<unknown>[]) => void,
): (raw: unknown) => T | undefined {
  return (raw) => {
    const r = v.safeParse(schema, raw);
    if (r.success) return pick(r.output);
    onInvalid?.(raw, r.issues);
    return undefined;
  };
}

export function createInformerCache<T>(opts: InformerCacheOptions<T>): InformerCache<T> {
  const equals = opts.equals ?? isDeepStrictEqual;
  const log = opts.log;
  let cache = new Map<string, T>();
  const listeners = new Set<ChangeListener>();

  const emit = (key: string, kind: ChangeKind) => {
    for (const l of listeners) {
      try {
        l(key, kind);
      } catch (err) {
        log?.error({ err, key, kind }, 'Informer change listener failed');
      }
    }
  };

  // A throwing projection must not lose an event: client-node's Watch silently drops exceptions thrown
  // by its callback. The object is treated as not of interest, and the error logged.
  const project = (raw: unknown, key: string): T | undefined => {
    try {
      return opts.project(raw);
    } catch (err) {
      log?.error({ err, key }, 'Informer projection failed; ignoring the object');
      return undefined;
    }
  };

  const beginList = (): ListInProgress => {
    const next = new Map<string, T>();
    return {
      add(items) {
        for (const raw of items) {
          const key = rawKey(raw)?.key;
          if (key === undefined) continue;
          const p = project(raw, key);
          if (p !== undefined) next.set(key, p);
        }
      },
      commit() {
        const changes: Array<[string, ChangeKind]> = [];
        for (const key of cache.keys()) if (!next.has(key)) changes.push([key, 'delete']);
        for (const [key, p] of next) {
          const old = cache.get(key);
          if (old === undefined || !equals(old, p)) changes.push([key, 'upsert']);
          // Unchanged: keep the held projection (the fresh one is garbage at once), so that what callers
          // derived from it (keyed by the object) stays valid and a re-list does not copy the whole cache.
          else next.set(key, old);
        }
        cache = next;
        for (const [key, kind] of changes) emit(key, kind);
      },
    };
  };

  const applyList = (items: readonly unknown[]) => {
    const list = beginList();
    list.add(items);
    list.commit();
  };

  const applyEvent = (e: WatchEvent): string | undefined => {
    const id = rawKey(e.object);
    const seen = id?.resourceVersion || undefined;
    const key = id?.key;
    if (e.type === 'BOOKMARK' || key === undefined) return seen;
    const old = cache.get(key);
    if (e.type === 'DELETED') {
      if (old !== undefined && cache.delete(key)) emit(key, 'delete');
      return seen;
    }
    const p = project(e.object, key);
    if (p === undefined) {
      if (old !== undefined && cache.delete(key)) emit(key, 'delete');
      return seen;
    }
    if (old !== undefined && equals(old, p)) return seen;
    cache.set(key, p);
    emit(key, 'upsert');
    return seen;
  };

  return {
    applyList,
    beginList,
    applyEvent,
    list: () => [...cache.values()],
    get: (key) => cache.get(key),
    get size() {
      return cache.size;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

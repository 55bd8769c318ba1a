// In-memory object storage with a global resourceVersion counter, an event history for watches that
// start from an older resourceVersion, and an owner-uid index for garbage collection. Stored objects are
// never mutated: every write stores a new object and its serialised JSON (served as is by get and watch).
import type { KubeObject, WatchEventType } from './types.js';

export type StoredObject = { readonly obj: KubeObject; readonly json: string };

export type StoreEvent = {
  readonly type: WatchEventType;
  readonly resource: string; // resourceKey
  readonly rv: number;
  readonly obj: KubeObject;
  readonly json: string;
  /** The object before this change (MODIFIED, DELETED). */
  readonly old: KubeObject | undefined;
};

/** Not a namespace name (those are DNS labels): the key of the all-namespaces view. */
const ALL_NAMESPACES = '\u0000';

export class ResourceVersionTooOld extends Error {}

export type ObjectRef = { resource: string; namespace: string; name: string };

export class ObjectStore {
  #rv = 0;
  /** resourceKey -> namespace ('' when cluster-scoped) -> name -> object */
  readonly #data = new Map<string, Map<string, Map<string, StoredObject>>>();
  readonly #byUid = new Map<string, ObjectRef>();
  /** owner uid -> uids of objects naming it in ownerReferences */
  readonly #dependents = new Map<string, Set<string>>();
  #history: StoreEvent[] = [];
  #historyStart = 0; // index of the oldest kept event in #history (trimmed lazily)
  /** Watches may start from any resourceVersion >= this one. */
  #oldestWatchableRv = 0;
  readonly #listeners = new Set<(e: StoreEvent) => void>();
  /**
   * resourceKey -> namespace (ALL_NAMESPACES for all) -> the objects in list order, built on first use and
   * dropped by any write to the resource: a paged listing of 100,000 pods asks for its order 200 times,
   * and sorting every time made the listing quadratic (35 s at 100,000 pods).
   */
  readonly #sorted = new Map<string, Map<string, readonly StoredObject[]>>();

  constructor(private readonly historyLimit = 20_000) {}

  get resourceVersion(): number {
    return this.#rv;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(resource: string, namespace: string, name: string): StoredObject | undefined {
    return this.#data.get(resource)?.get(namespace)?.get(name);
  }

  getByUid(uid: string): (StoredObject & ObjectRef) | undefined {
    const ref = this.#byUid.get(uid);
    const found = ref && this.get(ref.resource, ref.namespace, ref.name);
    return found && ref ? { ...found, ...ref } : undefined;
  }

  /** Objects of a resource, optionally in one namespace, sorted by namespace then name. */
  list(resource: string, namespace?: string): StoredObject[] {
    return [...this.sorted(resource, namespace)];
  }

  /** As `list`, without the copy: a shared array, valid until the next write to the resource. */
  sorted(resource: string, namespace?: string): readonly StoredObject[] {
    const view = namespace ?? ALL_NAMESPACES;
    let views = this.#sorted.get(resource);
    const held = views?.get(view);
    if (held) return held;
    const byNs = this.#data.get(resource);
    if (!byNs) return [];
    const spaces = namespace === undefined ? [...byNs.keys()].sort() : [namespace];
    const out: StoredObject[] = [];
    for (const ns of spaces) {
      const names = byNs.get(ns);
      if (!names) continue;
      for (const name of [...names.keys()].sort()) out.push(names.get(name)!);
    }
    if (!views) this.#sorted.set(resource, (views = new Map()));
    views.set(view, out);
    return out;
  }

  count(resource: string): number {
    let n = 0;
    for (const names of this.#data.get(resource)?.values() ?? []) n += names.size;
    return n;
  }

  dependentsOf(ownerUid: string): (StoredObject & ObjectRef)[] {
    return [...(this.#dependents.get(ownerUid) ?? [])].flatMap((uid) => this.getByUid(uid) ?? []);
  }

  /** Stores `obj` (metadata.name/namespace/uid already set) under a new resourceVersion. */
  put(resource: string, obj: KubeObject): StoredObject {
    const rv = ++this.#rv;
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const stored = freeze({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } });
    const names = this.#names(resource, ns);
    const old = names.get(name);
    this.#sorted.delete(resource);
    names.set(name, stored);
    if (old) this.#unindex(old.obj);
    this.#index(resource, stored.obj);
    this.#emit({ type: old ? 'MODIFIED' : 'ADDED', resource, rv, obj: stored.obj, json: stored.json, old: old?.obj });
    return stored;
  }

  /** Removes an object for good; the DELETED event carries a new resourceVersion. */
  remove(resource: string, namespace: string, name: string): StoredObject | undefined {
    const names = this.#data.get(resource)?.get(namespace);
    const old = names?.get(name);
    if (!names || !old) return undefined;
    names.delete(name);
    this.#sorted.delete(resource);
    if (names.size === 0) this.#data.get(resource)!.delete(namespace);
    this.#unindex(old.obj);
    const rv = ++this.#rv;
    const gone = freeze({ ...old.obj, metadata: { ...old.obj.metadata, resourceVersion: String(rv) } });
    this.#emit({ type: 'DELETED', resource, rv, obj: gone.obj, json: gone.json, old: old.obj });
    return gone;
  }

  /** Drops every object of a resource without events (a CRD's resource going away with the CRD). */
  dropResource(resource: string): void {
    for (const names of this.#data.get(resource)?.values() ?? []) for (const o of names.values()) this.#unindex(o.obj);
    this.#data.delete(resource);
    this.#sorted.delete(resource);
  }

  /** Events of `resource` after `sinceRv`; throws ResourceVersionTooOld when history no longer reaches back. */
  eventsSince(resource: string, sinceRv: number): StoreEvent[] {
    if (sinceRv < this.#oldestWatchableRv) throw new ResourceVersionTooOld(`too old resource version: ${sinceRv} (${this.#oldestWatchableRv})`);
    const out: StoreEvent[] = [];
    for (let i = this.#history.length - 1; i >= this.#historyStart; i--) {
      const e = this.#history[i]!;
      if (e.rv <= sinceRv) break;
      if (e.resource === resource) out.push(e);
    }
    return out.reverse();
  }

  /** Forgets all history: watches from any resourceVersion older than the current one answer 410 Gone. */
  compact(): void {
    this.#history = [];
    this.#historyStart = 0;
    this.#oldestWatchableRv = this.#rv;
  }

  #names(resource: string, ns: string): Map<string, StoredObject> {
    let byNs = this.#data.get(resource);
    if (!byNs) this.#data.set(resource, (byNs = new Map()));
    let names = byNs.get(ns);
    if (!names) byNs.set(ns, (names = new Map()));
    return names;
  }

  #index(resource: string, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    this.#byUid.set(uid, { resource, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' });
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.#dependents.get(ref.uid);
      if (!set) this.#dependents.set(ref.uid, (set = new Set()));
      set.add(uid);
    }
  }

  #unindex(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    this.#byUid.delete(uid);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.#dependents.get(ref.uid);
      set?.delete(uid);
      if (set?.size === 0) this.#dependents.delete(ref.uid);
    }
  }

  #emit(e: StoreEvent): void {
    this.#history.push(e);
    if (this.#history.length - this.#historyStart > this.historyLimit) {
      this.#oldestWatchableRv = this.#history[this.#historyStart]!.rv;
      this.#historyStart++;
      if (this.#historyStart > this.historyLimit) {
        this.#history = this.#history.slice(this.#historyStart);
        this.#historyStart = 0;
      }
    }
    for (const l of this.#listeners) l(e);
  }
}

function freeze(obj: KubeObject): StoredObject {
  return { obj, json: JSON.stringify(obj) };
}

// An in-memory SpiffeIdWriter for unit tests: objects keyed by namespace/name, assert the final contents.
import type { DeclaredSpiffeId } from '../../handlers/spiffeid/declared-spiffeid.js';
import { SPIFFEID_API_VERSION, SPIFFEID_KIND } from '../../handlers/spiffeid/spiffeid.js';
import { declaredObject, type SpiffeIdRef, type SpiffeIdWriter } from './spiffeid-writer.js';

type Obj = { metadata: { uid: string; finalizers: string[]; labels: Record<string, string>; [k: string]: unknown }; [k: string]: unknown };

export type FakeSpiffeIdWriter = SpiffeIdWriter & {
  /** Current objects, as the API server would return them. */
  objects(): Record<string, unknown>[];
};

export function fakeSpiffeIdWriter(initial: readonly Record<string, unknown>[] = []): FakeSpiffeIdWriter {
  const store = new Map<string, Obj>();
  let uids = 0;
  const key = (r: SpiffeIdRef) => `${r.namespace}/${r.name}`;
  for (const o of initial) {
    const c = structuredClone(o) as Obj;
    store.set(key(c.metadata as unknown as SpiffeIdRef), c);
  }
  const edit = (ref: SpiffeIdRef, f: (o: Obj) => void) => {
    const o = store.get(key(ref));
    if (o) f(o);
  };
  return {
    async create(d: DeclaredSpiffeId) {
      if (store.has(key(d))) return;
      const o = structuredClone(declaredObject(d, SPIFFEID_API_VERSION, SPIFFEID_KIND)) as Obj;
      o.metadata = { ...o.metadata, uid: `fake-uid-${++uids}`, finalizers: [] };
      store.set(key(d), o);
    },
    async update(d) {
      edit(d, (o) => {
        o.metadata.labels = { ...o.metadata.labels, ...d.labels };
        o.spec = structuredClone(d.spec);
      });
    },
    async delete(ref, uid) {
      const o = store.get(key(ref));
      if (!o || o.metadata.uid !== uid) return;
      if (o.metadata.finalizers.length > 0) o.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
      else store.delete(key(ref));
    },
    async addFinalizer(ref, finalizer) {
      edit(ref, (o) => {
        if (!o.metadata.finalizers.includes(finalizer) && !o.metadata.deletionTimestamp) o.metadata.finalizers.push(finalizer);
      });
    },
    async releaseFinalizer(ref, finalizer) {
      edit(ref, (o) => {
        o.metadata.finalizers = o.metadata.finalizers.filter((f) => f !== finalizer);
        if (o.metadata.deletionTimestamp && o.metadata.finalizers.length === 0) store.delete(key(ref));
      });
    },
    async writeStatus(ref, status) {
      edit(ref, (o) => {
        o.status = structuredClone({ entryId: status.entryId, conditions: status.conditions });
      });
    },
    objects: () => [...store.values()].map((o) => structuredClone(o)),
  };
}

// An in-memory SpiffeIdWriter for unit tests: objects keyed by namespace/name, assert the final contents.
// It keeps a resourceVersion per object and counts calls, so tests can check how many writes a pass
// makes per SpiffeID; a write guarded by a stale resourceVersion counts as a conflict and is then applied
// (the real writer re-reads and retries).
import type { DeclaredSpiffeId } from '../../handlers/spiffeid/declared-spiffeid.js';
import * as v from 'valibot';
import { SPIFFEID_API_VERSION, SPIFFEID_KIND, SpiffeIdSchema } from '../../handlers/spiffeid/spiffeid.js';
import { declaredObject, type ObservedSpiffeId, type SpiffeIdRef, type SpiffeIdWriter } from './spiffeid-writer.js';

type Obj = {
  metadata: { uid: string; resourceVersion: string; finalizers: string[]; labels: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

export type FakeWriterCall = 'create' | 'update' | 'delete' | 'addFinalizer' | 'releaseFinalizer' | 'writeStatus';

export type FakeSpiffeIdWriter = SpiffeIdWriter & {
  /** Current objects, as the API server would return them. */
  objects(): Record<string, unknown>[];
  /** Calls so far by method, plus `conflicts` (writes that carried a stale resourceVersion). */
  calls(): Record<FakeWriterCall | 'conflicts', number>;
  resetCalls(): void;
};

export function fakeSpiffeIdWriter(initial: readonly Record<string, unknown>[] = []): FakeSpiffeIdWriter {
  const store = new Map<string, Obj>();
  let uids = 0;
  let version = 0;
  const zero = () => ({ create: 0, update: 0, delete: 0, addFinalizer: 0, releaseFinalizer: 0, writeStatus: 0, conflicts: 0 });
  let calls = zero();
  const key = (r: SpiffeIdRef) => `${r.namespace}/${r.name}`;
  const bump = (o: Obj) => {
    o.metadata.resourceVersion = String(++version);
  };
  for (const o of initial) {
    const c = structuredClone(o) as Obj;
    c.metadata.finalizers ??= [];
    bump(c);
    store.set(key(c.metadata as unknown as SpiffeIdRef), c);
  }
  /** Applies `f` to the object `t` names (same UID when given); `f` returns false when nothing changed. */
  const edit = (t: ObservedSpiffeId, f: (o: Obj) => boolean) => {
    const o = store.get(key(t));
    if (!o || (t.uid && t.uid !== o.metadata.uid)) return;
    if (t.resourceVersion !== undefined && t.resourceVersion !== o.metadata.resourceVersion) calls.conflicts++;
    if (f(o)) bump(o);
  };
  return {
    async create(d: DeclaredSpiffeId, finalizers) {
      calls.create++;
      if (store.has(key(d))) return undefined;
      const o = structuredClone(declaredObject(d, SPIFFEID_API_VERSION, SPIFFEID_KIND)) as Obj;
      o.metadata = { ...o.metadata, uid: `fake-uid-${++uids}`, resourceVersion: '', finalizers: [...finalizers] };
      bump(o);
      store.set(key(d), o);
      return v.parse(SpiffeIdSchema, structuredClone(o));
    },
    async update(d) {
      calls.update++;
      edit(d, (o) => {
        o.metadata.labels = { ...o.metadata.labels, ...d.labels };
        o.spec = structuredClone(d.spec);
        return true;
      });
    },
    async takeOver(t, d) {
      calls.update++;
      edit(t, (o) => {
        const others = ((o.metadata.ownerReferences ?? []) as { controller?: boolean }[]).filter((r) => r.controller !== true);
        o.metadata.ownerReferences = [...others, { ...d.owner }];
        o.metadata.labels = { ...o.metadata.labels, ...d.labels };
        o['spec'] = structuredClone(d.spec);
        return true;
      });
    },
    async delete(ref, uid) {
      calls.delete++;
      const o = store.get(key(ref));
      if (!o || o.metadata.uid !== uid) return;
      if (o.metadata.finalizers.length > 0) {
        o.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
        bump(o);
      } else store.delete(key(ref));
    },
    async addFinalizer(t, finalizer) {
      calls.addFinalizer++;
      edit(t, (o) => {
        if (o.metadata.finalizers.includes(finalizer) || o.metadata.deletionTimestamp) return false;
        o.metadata.finalizers.push(finalizer);
        return true;
      });
    },
    async releaseFinalizer(t, finalizer) {
      calls.releaseFinalizer++;
      edit(t, (o) => {
        if (!o.metadata.finalizers.includes(finalizer)) return false;
        o.metadata.finalizers = o.metadata.finalizers.filter((f) => f !== finalizer);
        if (o.metadata.deletionTimestamp && o.metadata.finalizers.length === 0) store.delete(key(t));
        return true;
      });
    },
    async writeStatus(t, status) {
      calls.writeStatus++;
      edit(t, (o) => {
        o.status = structuredClone({ entryId: status.entryId, conditions: status.conditions });
        return true;
      });
    },
    objects: () => [...store.values()].map((o) => structuredClone(o)),
    calls: () => ({ ...calls }),
    resetCalls: () => {
      calls = zero();
    },
  };
}

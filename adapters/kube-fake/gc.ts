// The garbage collector and namespace controller of a real cluster, reduced to what tests observe:
// dependents of a deleted owner are deleted in the background (or lose the reference when another owner
// remains), a foreground-deleting owner goes once its dependents are gone, and deleting a namespace
// deletes what it contains.
import { FOREGROUND_FINALIZER, type Operations } from './operations.js';
import type { StoreEvent } from './store.js';
import type { KubeObject } from './types.js';

export type GarbageCollector = { stop(): void; idle(): Promise<void> };

export function startGarbageCollector(ops: Operations, onError: (err: unknown) => void): GarbageCollector {
  const store = ops.store;
  let pending = Promise.resolve();
  const enqueue = (work: () => Promise<void>) => {
    pending = pending.then(work).catch(onError);
  };
  const unsubscribe = store.subscribe((e: StoreEvent) => {
    if (e.type === 'DELETED') {
      const uid = e.obj.metadata.uid ?? '';
      enqueue(() => collectDependents(ops, uid));
      enqueue(() => releaseForegroundOwners(ops, e.obj));
      if (e.resource === 'namespaces') enqueue(() => emptyNamespace(ops, e.obj.metadata.name ?? ''));
    } else if (e.type === 'MODIFIED' && e.obj.metadata.deletionTimestamp && !e.old?.metadata.deletionTimestamp) {
      const obj = e.obj;
      if (obj.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) {
        enqueue(() => collectDependents(ops, obj.metadata.uid ?? ''));
        enqueue(() => releaseIfNoDependents(ops, obj.metadata.uid ?? ''));
      }
    }
  });
  return {
    stop: unsubscribe,
    async idle() {
      let seen: Promise<void> | undefined;
      while (seen !== pending) {
        seen = pending;
        await seen;
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

async function collectDependents(ops: Operations, ownerUid: string): Promise<void> {
  if (ownerUid === '') return;
  for (const dep of ops.store.dependentsOf(ownerUid)) {
    const others = (dep.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
    const t = ops.targetOf(dep.obj);
    if (!t) continue;
    const name = dep.obj.metadata.name ?? '';
    if (others.some((r) => ops.store.getByUid(r.uid) !== undefined)) {
      await ops.patch(t, name, 'application/merge-patch+json', { metadata: { ownerReferences: others } }).catch(ignoreNotFound);
    } else if (!dep.obj.metadata.deletionTimestamp) {
      await ops.delete(t, name, { propagationPolicy: 'Background' }).catch(ignoreNotFound);
    }
  }
}

async function releaseForegroundOwners(ops: Operations, gone: KubeObject): Promise<void> {
  for (const ref of gone.metadata.ownerReferences ?? []) await releaseIfNoDependents(ops, ref.uid);
}

async function releaseIfNoDependents(ops: Operations, ownerUid: string): Promise<void> {
  const owner = ops.store.getByUid(ownerUid);
  if (!owner || !owner.obj.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) return;
  if (ops.store.dependentsOf(ownerUid).length > 0) return;
  const t = ops.targetOf(owner.obj);
  if (!t) return;
  const finalizers = owner.obj.metadata.finalizers.filter((f) => f !== FOREGROUND_FINALIZER);
  await ops.patch(t, owner.name, 'application/merge-patch+json', { metadata: { finalizers } }).catch(ignoreNotFound);
}

async function emptyNamespace(ops: Operations, ns: string): Promise<void> {
  for (const type of [...ops.registry.all()]) {
    if (!type.namespaced) continue;
    const t = { type, version: type.versions[0]!, namespace: ns };
    for (const o of ops.store.list(type.group === '' ? type.resource : `${type.resource}.${type.group}`, ns)) {
      if (!o.obj.metadata.deletionTimestamp) await ops.delete(t, o.obj.metadata.name ?? '').catch(ignoreNotFound);
    }
  }
}

function ignoreNotFound(err: unknown): void {
  if ((err as { code?: number }).code !== 404) throw err;
}

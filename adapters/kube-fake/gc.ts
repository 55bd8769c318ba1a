// The garbage collector and namespace controller of a real cluster, reduced to what tests observe:
// dependents of a deleted owner are deleted in the background (or lose the reference when another owner
// remains), a foreground-deleting owner goes once its blocking dependents (`blockOwnerDeletion: true`) are
// gone, as the real collector does, and a Terminating namespace is
// emptied after a short delay (so `kubectl delete -f` of a namespace and its contents finds them, as on a
// real cluster) and then removed. An object created with owner references that all name objects that
// do not exist is deleted too, as the real collector does with dangling owners (a client acting on a stale
// cache can create one for an owner already gone).
import { FOREGROUND_FINALIZER, type Operations } from './operations.js';
import type { StoreEvent } from './store.js';
import { type KubeObject, resourceKey } from './types.js';

export type GarbageCollector = { stop(): void; idle(): Promise<void> };

export function startGarbageCollector(ops: Operations, onError: (err: unknown) => void, namespaceCleanupDelayMs: number): GarbageCollector {
  const store = ops.store;
  let pending = Promise.resolve();
  const enqueue = (work: () => Promise<void>) => {
    pending = pending.then(work).catch(onError);
  };
  const unsubscribe = store.subscribe((e: StoreEvent) => {
    if (e.type === 'ADDED' && (e.obj.metadata.ownerReferences ?? []).length > 0) {
      const obj = e.obj;
      enqueue(() => collectIfOwnersGone(ops, obj));
    }
    if (e.type === 'DELETED') {
      const uid = e.obj.metadata.uid ?? '';
      enqueue(() => collectDependents(ops, uid));
      enqueue(() => releaseForegroundOwners(ops, e.obj));
      const ns = e.obj.metadata.namespace;
      if (ns && store.get('namespaces', '', ns)?.obj.metadata.deletionTimestamp) enqueue(async () => finalizeNamespace(ops, ns));
    } else if (e.type === 'MODIFIED' && e.obj.metadata.deletionTimestamp && !e.old?.metadata.deletionTimestamp) {
      const obj = e.obj;
      if (e.resource === 'namespaces') {
        enqueue(async () => {
          await new Promise((r) => setTimeout(r, namespaceCleanupDelayMs));
          await removeNamespace(ops, obj.metadata.name ?? '');
        });
      }
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

async function collectIfOwnersGone(ops: Operations, obj: KubeObject): Promise<void> {
  if ((obj.metadata.ownerReferences ?? []).some((r) => ops.store.getByUid(r.uid) !== undefined)) return;
  const current = ops.store.getByUid(obj.metadata.uid ?? '');
  const t = ops.targetOf(obj);
  if (!current || !t || current.obj.metadata.deletionTimestamp) return;
  await ops.delete(t, obj.metadata.name ?? '', { propagationPolicy: 'Background' }).catch(ignoreNotFound);
}

async function releaseForegroundOwners(ops: Operations, gone: KubeObject): Promise<void> {
  for (const ref of gone.metadata.ownerReferences ?? []) await releaseIfNoDependents(ops, ref.uid);
}

/** A dependent holds up its owner's foreground deletion only when its reference says blockOwnerDeletion. */
function blocks(dependent: KubeObject, ownerUid: string): boolean {
  return (dependent.metadata.ownerReferences ?? []).some((r) => r.uid === ownerUid && r.blockOwnerDeletion === true);
}

async function releaseIfNoDependents(ops: Operations, ownerUid: string): Promise<void> {
  const owner = ops.store.getByUid(ownerUid);
  if (!owner || !owner.obj.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) return;
  if (ops.store.dependentsOf(ownerUid).some((dep) => blocks(dep.obj, ownerUid))) return;
  const t = ops.targetOf(owner.obj);
  if (!t) return;
  const finalizers = owner.obj.metadata.finalizers.filter((f) => f !== FOREGROUND_FINALIZER);
  await ops.patch(t, owner.name, 'application/merge-patch+json', { metadata: { finalizers } }).catch(ignoreNotFound);
}

/** Deletes what the namespace holds (objects with finalizers are only marked), then the namespace if empty. */
async function removeNamespace(ops: Operations, ns: string): Promise<void> {
  for (const type of [...ops.registry.all()]) {
    if (!type.namespaced) continue;
    const t = { type, version: type.versions[0]!, namespace: ns };
    for (const o of ops.store.list(resourceKey(type.group, type.resource), ns)) {
      if (!o.obj.metadata.deletionTimestamp) await ops.delete(t, o.obj.metadata.name ?? '').catch(ignoreNotFound);
    }
  }
  finalizeNamespace(ops, ns);
}

/** Removes a Terminating namespace once nothing is left in it. */
function finalizeNamespace(ops: Operations, ns: string): void {
  const namespace = ops.store.get('namespaces', '', ns);
  if (!namespace?.obj.metadata.deletionTimestamp || (namespace.obj.metadata.finalizers ?? []).length > 0) return;
  for (const type of ops.registry.all()) {
    if (type.namespaced && ops.store.list(resourceKey(type.group, type.resource), ns).length > 0) return;
  }
  ops.store.remove('namespaces', '', ns);
}

function ignoreNotFound(err: unknown): void {
  if ((err as { code?: number }).code !== 404) throw err;
}

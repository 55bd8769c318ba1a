// Direct store access for tests and benchmarks: seed thousands of objects without HTTP, admission or
// namespace checks, and read what the server holds. Writes still bump resourceVersions and reach watchers.
import { randomUUID } from 'node:crypto';
import { timestamp } from './object-rules.js';
import type { Operations } from './operations.js';
import { type KubeObject, type ResourceType, resourceKey } from './types.js';

export type SeedStore = {
  /** Creates or replaces an object; fills uid, creationTimestamp, generation and namespace ('default') if missing. */
  putObject(obj: KubeObject): KubeObject;
  /** Removes an object at once (no finalizers, no admission); true if it existed. */
  deleteObject(apiVersion: string, kind: string, name: string, namespace?: string): boolean;
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** The current global resourceVersion. */
  readonly resourceVersion: number;
};

export function seedStore(ops: Operations, now: () => Date): SeedStore {
  const typeOf = (apiVersion: string, kind: string): ResourceType => {
    const type = ops.registry.findByKind(apiVersion, kind);
    if (!type) throw new Error(`fake API server: no resource serves ${apiVersion} ${kind}`);
    return type;
  };
  const nsOf = (type: ResourceType, ns: string | undefined) => (type.namespaced ? (ns ?? 'default') : '');
  return {
    putObject(obj) {
      const type = typeOf(obj.apiVersion ?? '', obj.kind ?? '');
      const namespace = nsOf(type, obj.metadata.namespace);
      const name = obj.metadata.name;
      if (!name) throw new Error('fake API server: putObject needs metadata.name');
      const key = resourceKey(type.group, type.resource);
      const old = ops.store.get(key, namespace, name)?.obj.metadata;
      const metadata = {
        ...obj.metadata,
        uid: obj.metadata.uid ?? old?.uid ?? randomUUID(),
        creationTimestamp: obj.metadata.creationTimestamp ?? old?.creationTimestamp ?? timestamp(now()),
        generation: obj.metadata.generation ?? old?.generation ?? 1,
        ...(type.namespaced ? { namespace } : {}),
      };
      if (!type.namespaced) delete metadata.namespace;
      return structuredClone(ops.store.put(key, structuredClone({ ...obj, metadata })).obj);
    },
    deleteObject(apiVersion, kind, name, namespace) {
      const type = typeOf(apiVersion, kind);
      return ops.store.remove(resourceKey(type.group, type.resource), nsOf(type, namespace), name) !== undefined;
    },
    get(apiVersion, kind, name, namespace) {
      const type = typeOf(apiVersion, kind);
      const found = ops.store.get(resourceKey(type.group, type.resource), nsOf(type, namespace), name);
      return found ? structuredClone(found.obj) : undefined;
    },
    list(apiVersion, kind, namespace) {
      const type = typeOf(apiVersion, kind);
      return ops.store.list(resourceKey(type.group, type.resource), type.namespaced ? namespace : undefined).map((o) => structuredClone(o.obj));
    },
    get resourceVersion() {
      return ops.store.resourceVersion;
    },
  };
}

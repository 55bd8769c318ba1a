// Serves the resources CustomResourceDefinitions define: registering them (and so discovery and routing)
// when a CRD is stored, and dropping them with their objects when it is deleted.
import { CRD_KEY, type ResourceRegistry, resourceTypeFromCrd } from './resource-types.js';
import type { ObjectStore } from './store.js';
import { resourceKey } from './types.js';

export function syncCustomResources(store: ObjectStore, registry: ResourceRegistry): () => void {
  return store.subscribe((e) => {
    if (e.resource !== CRD_KEY) return;
    const defined = resourceTypeFromCrd(e.obj);
    if (typeof defined === 'string') return;
    const key = resourceKey(defined.group, defined.resource);
    if (e.type === 'DELETED') {
      for (const o of store.list(key)) store.remove(key, o.obj.metadata.namespace ?? '', o.obj.metadata.name ?? '');
      registry.remove(key);
      store.dropResource(key);
    } else {
      registry.add(defined);
    }
  });
}

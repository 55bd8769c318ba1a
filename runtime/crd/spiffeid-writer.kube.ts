// SpiffeIdWriter over client-node's CustomObjectsApi. Read-modify-write with the object's
// resourceVersion, retried on 409 Conflict (somebody else wrote in between); status goes through the
// status subresource (a plain update ignores status when the CRD enables it).
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { SPIFFEID_API_VERSION, SPIFFEID_GROUP, SPIFFEID_KIND, SPIFFEID_PLURAL, SPIFFEID_VERSION } from '../../handlers/spiffeid/spiffeid.js';
import { withKeepAlive } from '../kube/keep-alive.js';
import { declaredObject, type SpiffeIdRef, type SpiffeIdWriter } from './spiffeid-writer.js';

type Obj = { metadata: Record<string, unknown> & { finalizers?: string[]; labels?: Record<string, string>; uid?: string }; [k: string]: unknown };

const CONFLICT_RETRIES = 5;

export function kubeSpiffeIdWriter(kubeConfig: KubeConfig): SpiffeIdWriter {
  // Several calls per SpiffeID: reuse connections (client-node alone opens one per call).
  const api = withKeepAlive(kubeConfig).makeApiClient(CustomObjectsApi);
  const base = { group: SPIFFEID_GROUP, version: SPIFFEID_VERSION, plural: SPIFFEID_PLURAL };

  const get = async (ref: SpiffeIdRef): Promise<Obj | undefined> => {
    try {
      return (await api.getNamespacedCustomObject({ ...base, namespace: ref.namespace, name: ref.name })) as Obj;
    } catch (err) {
      if (code(err) === 404) return undefined;
      throw err;
    }
  };

  /** GET, change, PUT; again on 409. `change` returns false when nothing needs writing. */
  const mutate = async (ref: SpiffeIdRef, what: string, change: (o: Obj) => boolean, subresource?: 'status'): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const obj = await get(ref);
        if (!obj || !change(obj)) return;
        const req = { ...base, namespace: ref.namespace, name: ref.name, body: obj };
        if (subresource === 'status') await api.replaceNamespacedCustomObjectStatus(req);
        else await api.replaceNamespacedCustomObject(req);
        return;
      } catch (err) {
        if (code(err) === 404) return;
        if (code(err) === 409 && attempt < CONFLICT_RETRIES) continue;
        throw new Error(`${what} SpiffeID ${ref.namespace}/${ref.name}`, { cause: err });
      }
    }
  };

  return {
    async create(d) {
      try {
        await api.createNamespacedCustomObject({ ...base, namespace: d.namespace, body: declaredObject(d, SPIFFEID_API_VERSION, SPIFFEID_KIND) });
      } catch (err) {
        if (code(err) === 409) return;
        throw new Error(`create SpiffeID ${d.namespace}/${d.name}`, { cause: err });
      }
    },
    update: (d) =>
      mutate(d, 'update', (o) => {
        if (o.metadata.uid !== undefined && ownerUid(o) !== d.owner.uid) return false;
        o.metadata.labels = { ...(o.metadata.labels ?? {}), ...d.labels };
        o.spec = d.spec;
        return true;
      }),
    async delete(ref, uid) {
      try {
        await api.deleteNamespacedCustomObject({ ...base, namespace: ref.namespace, name: ref.name, body: { preconditions: { uid } } });
      } catch (err) {
        if (code(err) === 404 || code(err) === 409) return; // gone, or replaced by a newer object
        throw new Error(`delete SpiffeID ${ref.namespace}/${ref.name}`, { cause: err });
      }
    },
    addFinalizer: (ref, finalizer) =>
      mutate(ref, 'add finalizer to', (o) => {
        const fins = o.metadata.finalizers ?? [];
        if (fins.includes(finalizer) || o.metadata.deletionTimestamp) return false;
        o.metadata.finalizers = [...fins, finalizer];
        return true;
      }),
    releaseFinalizer: (ref, finalizer) =>
      mutate(ref, 'release finalizer of', (o) => {
        const fins = o.metadata.finalizers ?? [];
        if (!fins.includes(finalizer)) return false;
        o.metadata.finalizers = fins.filter((f) => f !== finalizer);
        return true;
      }),
    writeStatus: (ref, status) =>
      mutate(
        ref,
        'write status of',
        (o) => {
          o.status = { ...((o.status as Record<string, unknown> | undefined) ?? {}), entryId: status.entryId, conditions: status.conditions };
          return true;
        },
        'status',
      ),
  };
}

function ownerUid(o: Obj): string | undefined {
  const refs = (o.metadata.ownerReferences ?? []) as { controller?: boolean; uid?: string }[];
  return refs.find((r) => r.controller === true)?.uid;
}

function code(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

// The REST calls the SpiffeID writer makes, over one of two transports: the lean JSON client
// (runtime/kube/kube-json-client.ts) when it handles the KubeConfig's credentials, else client-node's
// CustomObjectsApi. Both send the same requests (method, path, content type, body) and fail with
// client-node's ApiException (its `code` is the HTTP status), so the writer's 404 and 409 handling is
// one. The lean one exists for CPU: ~600 of these writes a second under crd churn at 10k pods
// (bench/README.md, "crd churn, API writes and logging").
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '../../adapters/client-node.js';
import { SPIFFEID_GROUP, SPIFFEID_PLURAL, SPIFFEID_VERSION } from '../../handlers/spiffeid/spiffeid.js';
import { leanKubeClient } from '../kube/kube-json-client.js';
import { withKeepAlive } from '../kube/keep-alive.js';
import type { SpiffeIdRef } from './spiffeid-writer.js';

export type SpiffeIdRest = {
  readonly transport: 'lean' | 'client-node';
  /** The object as stored; rejects (ApiException 404) when there is none. */
  get(ref: SpiffeIdRef): Promise<unknown>;
  /** POST; resolves with the object as stored. */
  create(namespace: string, body: unknown): Promise<unknown>;
  /** PUT of the whole object (or its status subresource). */
  replace(ref: SpiffeIdRef, body: unknown, subresource?: 'status'): Promise<void>;
  /** PATCH as application/merge-patch+json (of the object or its status subresource). */
  mergePatch(ref: SpiffeIdRef, body: unknown, subresource?: 'status'): Promise<void>;
  /** DELETE with DeleteOptions as the body. */
  delete(ref: SpiffeIdRef, body: unknown): Promise<void>;
};

export type SpiffeIdRestOptions = {
  /** 'client-node' forces client-node (bench A/B, tests); default: the lean client where it applies. */
  readonly transport?: 'auto' | 'client-node';
};

export function spiffeIdRest(kubeConfig: KubeConfig, opts: SpiffeIdRestOptions = {}): SpiffeIdRest {
  const lean = opts.transport === 'client-node' ? undefined : leanKubeClient(kubeConfig);
  if (!lean) return clientNodeRest(kubeConfig);
  const collection = (namespace: string) => `/apis/${SPIFFEID_GROUP}/${SPIFFEID_VERSION}/namespaces/${encodeURIComponent(namespace)}/${SPIFFEID_PLURAL}`;
  const object = (ref: SpiffeIdRef, subresource?: 'status') => `${collection(ref.namespace)}/${encodeURIComponent(ref.name)}${subresource ? `/${subresource}` : ''}`;
  return {
    transport: 'lean',
    get: (ref) => lean.send({ method: 'GET', path: object(ref), answer: true }),
    create: (namespace, body) => lean.send({ method: 'POST', path: collection(namespace), body, answer: true }),
    replace: async (ref, body, subresource) => void (await lean.send({ method: 'PUT', path: object(ref, subresource), body })),
    mergePatch: async (ref, body, subresource) =>
      void (await lean.send({ method: 'PATCH', path: object(ref, subresource), body, contentType: PatchStrategy.MergePatch })),
    delete: async (ref, body) => void (await lean.send({ method: 'DELETE', path: object(ref), body })),
  };
}

function clientNodeRest(kubeConfig: KubeConfig): SpiffeIdRest {
  // Several calls per SpiffeID: reuse connections (client-node alone opens one per call).
  const api = withKeepAlive(kubeConfig).makeApiClient(CustomObjectsApi);
  const base = { group: SPIFFEID_GROUP, version: SPIFFEID_VERSION, plural: SPIFFEID_PLURAL };
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    transport: 'client-node',
    get: (ref) => api.getNamespacedCustomObject({ ...base, namespace: ref.namespace, name: ref.name }),
    create: (namespace, body) => api.createNamespacedCustomObject({ ...base, namespace, body: body as object }),
    async replace(ref, body, subresource) {
      const req = { ...base, namespace: ref.namespace, name: ref.name, body: body as object };
      if (subresource === 'status') await api.replaceNamespacedCustomObjectStatus(req);
      else await api.replaceNamespacedCustomObject(req);
    },
    async mergePatch(ref, body, subresource) {
      const req = { ...base, namespace: ref.namespace, name: ref.name, body: body as object };
      if (subresource === 'status') await api.patchNamespacedCustomObjectStatus(req, mergePatch);
      else await api.patchNamespacedCustomObject(req, mergePatch);
    },
    async delete(ref, body) {
      await api.deleteNamespacedCustomObject({ ...base, namespace: ref.namespace, name: ref.name, body: body as object });
    },
  };
}

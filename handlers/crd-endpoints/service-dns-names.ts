import type { Endpoints } from '../k8s/endpoints.js';

// Crd mode's endpoints controller (add_svc_dns_name): every pod behind a Service's endpoints gets
// `<service>.<namespace>.svc` as an extra DNS name; when the Endpoints go away, so does the name.
// Only ready addresses count: a pod that is not ready does not serve the Service.
// An address names its pod by UID, as the original matched `targetRef.uid` against the SpiffeID's podUid
// label: a pod recreated under the same name is another pod and does not inherit the old one's names.
// Only a reference without a UID falls back to namespace/name. `targetRef.kind` is not required (the
// original never read it), but a reference that says it is not a Pod is not one.
// Ref: spiffe/spire history, mode-crd/controllers/endpoint_controller.go.

/** One ready endpoint of a Service that points at a pod. */
export type ServiceBackend = {
  readonly service: string;
  readonly namespace: string;
  /** The pod's UID; '' when the reference gives none (then podNamespace/podName identify the pod). */
  readonly podUid: string;
  readonly podNamespace: string;
  readonly podName: string;
};

export type PodRef = { readonly metadata: { readonly uid: string; readonly namespace: string; readonly name: string } };

export type ServiceDnsNames = {
  /** Sorted, de-duplicated `<service>.<namespace>.svc` names of the Services this pod backs. */
  forPod(pod: PodRef): readonly string[];
};

/** The ready pod addresses of core/v1 Endpoints. */
export function backendsOfEndpoints(endpoints: readonly Endpoints[]): ServiceBackend[] {
  const out: ServiceBackend[] = [];
  for (const ep of endpoints) {
    for (const subset of ep.subsets ?? []) {
      for (const addr of subset.addresses ?? []) {
        const ref = addr.targetRef;
        if (!ref || (ref.kind !== '' && ref.kind !== 'Pod')) continue;
        out.push({
          service: ep.metadata.name,
          namespace: ep.metadata.namespace,
          podUid: ref.uid,
          podNamespace: ref.namespace || ep.metadata.namespace,
          podName: ref.name,
        });
      }
    }
  }
  return out;
}

export function serviceDnsNames(backends: readonly ServiceBackend[]): ServiceDnsNames {
  const byUid = new Map<string, Set<string>>();
  const byName = new Map<string, Set<string>>();
  const add = (index: Map<string, Set<string>>, key: string, name: string) => {
    const names = index.get(key) ?? new Set<string>();
    names.add(name);
    index.set(key, names);
  };
  for (const b of backends) {
    const svc = `${b.service}.${b.namespace}.svc`;
    if (b.podUid) add(byUid, b.podUid, svc);
    else if (b.podName) add(byName, `${b.podNamespace}/${b.podName}`, svc);
  }
  return {
    forPod(pod) {
      const { uid, namespace, name } = pod.metadata;
      const names = new Set([...(byUid.get(uid) ?? []), ...(byName.get(`${namespace}/${name}`) ?? [])]);
      return [...names].sort();
    },
  };
}

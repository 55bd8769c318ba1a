import { isReady, podRef, sliceService, type EndpointSlice } from '../k8s/endpoint-slice.js';

// Crd mode's endpoints controller (add_svc_dns_name): every pod behind a Service's endpoints gets
// `<service>.<namespace>.svc` as an extra DNS name; when the endpoints go away, so does the name. They are
// read from discovery.k8s.io/v1 EndpointSlices (the original read core/v1 Endpoints, deprecated since
// Kubernetes 1.33); a pod behind several slices of one Service gets the name once.
// Only ready endpoints count: a pod that is not ready does not serve the Service.
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

/** The ready pod endpoints of EndpointSlices made for a Service. */
export function backendsOfSlices(slices: readonly EndpointSlice[]): ServiceBackend[] {
  const out: ServiceBackend[] = [];
  for (const slice of slices) {
    const service = sliceService(slice);
    if (service === '') continue;
    const namespace = slice.metadata.namespace;
    for (const e of slice.endpoints ?? []) {
      const pod = podRef(e);
      if (!pod || !isReady(e)) continue;
      out.push({ service, namespace, podUid: pod.uid, podNamespace: pod.namespace || namespace, podName: pod.name });
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

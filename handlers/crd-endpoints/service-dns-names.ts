import type { Endpoints } from '../k8s/endpoints.js';

// Crd mode's endpoints controller (add_svc_dns_name): every pod behind a Service's endpoints gets
// `<service>.<namespace>.svc` as an extra DNS name; when the Endpoints go away, so does the name.
// Only ready addresses count: a pod that is not ready does not serve the Service.
// Ref: spiffe/spire history, mode-crd/controllers/endpoints_controller.go.

/** `namespace/podName` -> sorted, de-duplicated service DNS names. */
export function serviceDnsNamesByPod(endpoints: readonly Endpoints[]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const ep of endpoints) {
    const svc = `${ep.metadata.name}.${ep.metadata.namespace}.svc`;
    for (const subset of ep.subsets ?? []) {
      for (const addr of subset.addresses ?? []) {
        const ref = addr.targetRef;
        if (!ref || ref.kind !== 'Pod' || !ref.name) continue;
        const key = `${ref.namespace || ep.metadata.namespace}/${ref.name}`;
        const names = out.get(key) ?? new Set<string>();
        names.add(svc);
        out.set(key, names);
      }
    }
  }
  return new Map([...out].map(([k, names]) => [k, [...names].sort()]));
}

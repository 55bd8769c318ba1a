// DNS names for a pod entry (add_pod_dns_names), as the original registrar's reconcile-mode pod controller
// computed them (mode-reconcile/controllers/pod_controller.go, fillEntryForPod / getNamesForEndpoints),
// following https://github.com/kubernetes/dns/blob/master/docs/specification.md:
//   1. <ip-with-dashes>.<ns>.pod.<zone>   first, because the first name becomes the X509-SVID's CN
//   2. <ip-with-dashes>.<ns>.pod          (the cluster search path holds <zone>)
//   3. sorted and de-duplicated, for every Service in the pod's namespace whose endpoints name the pod:
//      the Service's names <svc>.<ns>.svc.<zone>, <svc>.<ns>.svc, <svc>.<ns>, <svc> (search-path forms),
//      and for the pod's own address: <hostname>.<svc>... when the address has a hostname (headless
//      Services), otherwise both <ip-with-dashes>.<svc>... and <pod-name>.<svc>... (CoreDNS's two
//      endpoint_pod_names options), each in the same four search-path forms.
// A pod without an IP gets no names until it has one (its entry is updated then).
// The endpoints are read from discovery.k8s.io/v1 EndpointSlices (the original read core/v1 Endpoints,
// deprecated since Kubernetes 1.33), ready or not as the original read both `addresses` and
// `notReadyAddresses`; a terminating endpoint that is not ready is left out, as Endpoints left it out.
// An endpoint names the pod by UID when its reference carries one (a pod recreated under the same name
// does not inherit the old pod's addresses), else by name.
import { isListed, podRef, sliceService, type Endpoint, type EndpointSlice } from '../k8s/endpoint-slice.js';
import type { Pod } from '../k8s/pod.js';

export function podDnsNames(pod: Pod, slices: readonly EndpointSlice[], zone: string): string[] {
  const ip = pod.status.podIP;
  if (!ip) return [];
  const { name, namespace, uid } = pod.metadata;
  const names = new Set<string>();
  const namesPod = (e: Endpoint) => {
    const ref = podRef(e);
    return ref !== undefined && isListed(e) && (ref.uid ? ref.uid === uid : ref.name === name);
  };
  for (const slice of slices) {
    const svc = sliceService(slice);
    if (slice.metadata.namespace !== namespace || !isNameComponent(svc) || !isNameComponent(namespace)) continue;
    const endpoints = (slice.endpoints ?? []).filter(namesPod);
    if (endpoints.length === 0) continue;
    addSearchPathNames(names, svc, namespace, zone);
    for (const e of endpoints) {
      if (e.targetRef?.namespace !== namespace) continue;
      const hostname = e.hostname ?? '';
      if (isNameComponent(hostname)) {
        addSearchPathNames(names, `${hostname}.${svc}`, namespace, zone);
      } else {
        for (const address of e.addresses ?? []) addSearchPathNames(names, `${dashedIp(address)}.${svc}`, namespace, zone);
        if (isNameComponent(name)) addSearchPathNames(names, `${name}.${svc}`, namespace, zone);
      }
    }
  }
  return [`${dashedIp(ip)}.${namespace}.pod.${zone}`, `${dashedIp(ip)}.${namespace}.pod`, ...[...names].sort()];
}

/**
 * IPv4 dots or IPv6 colons become dashes (1-2-3-4, fd00--1). The original replaced only the dots when an
 * address had both (IPv4-mapped IPv6), leaving colons in a name SPIRE refuses; we replace both.
 */
export function dashedIp(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

function isNameComponent(s: string): boolean {
  return s !== '' && !s.includes('.');
}

/** Pods resolve with the search path `<ns>.svc.<zone> svc.<zone> <zone>`, so each shorter form also names it. */
function addSearchPathNames(names: Set<string>, prefix: string, namespace: string, zone: string): void {
  names.add(`${prefix}.${namespace}.svc.${zone}`);
  names.add(`${prefix}.${namespace}.svc`);
  names.add(`${prefix}.${namespace}`);
  names.add(prefix);
}

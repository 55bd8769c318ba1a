// DNS names for a pod entry (add_pod_dns_names), as the original registrar's reconcile-mode pod controller
// computed them (mode-reconcile/controllers/pod_controller.go, fillEntryForPod / getNamesForEndpoints),
// following https://github.com/kubernetes/dns/blob/master/docs/specification.md:
//   1. <ip-with-dashes>.<ns>.pod.<zone>   first, because the first name becomes the X509-SVID's CN
//   2. <ip-with-dashes>.<ns>.pod          (the cluster search path holds <zone>)
//   3. sorted and de-duplicated, for every Endpoints object in the pod's namespace naming the pod:
//      the Service's names <svc>.<ns>.svc.<zone>, <svc>.<ns>.svc, <svc>.<ns>, <svc> (search-path forms),
//      and for the pod's own address: <hostname>.<svc>... when the address has a hostname (headless
//      Services), otherwise both <ip-with-dashes>.<svc>... and <pod-name>.<svc>... (CoreDNS's two
//      endpoint_pod_names options), each in the same four search-path forms.
// A pod without an IP gets no names until it has one (its entry is updated then).
import { podAddresses, type Endpoints } from '../k8s/endpoints.js';
import type { Pod } from '../k8s/pod.js';

export function podDnsNames(pod: Pod, endpoints: readonly Endpoints[], zone: string): string[] {
  const ip = pod.status.podIP;
  if (!ip) return [];
  const { name, namespace } = pod.metadata;
  const names = new Set<string>();
  for (const ep of endpoints) {
    const svc = ep.metadata.name;
    if (ep.metadata.namespace !== namespace || !isNameComponent(svc) || !isNameComponent(namespace)) continue;
    const addresses = podAddresses(ep).filter((a) => a.targetRef?.name === name);
    if (addresses.length === 0) continue;
    addSearchPathNames(names, svc, namespace, zone);
    for (const a of addresses) {
      if (a.targetRef?.namespace !== namespace) continue;
      if (isNameComponent(a.hostname)) {
        addSearchPathNames(names, `${a.hostname}.${svc}`, namespace, zone);
      } else {
        addSearchPathNames(names, `${dashedIp(a.ip)}.${svc}`, namespace, zone);
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

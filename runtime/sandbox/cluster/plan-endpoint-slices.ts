// The EndpointSlice controller of the simulated cluster: one discovery.k8s.io/v1 EndpointSlice per Service
// with a selector, labelled kubernetes.io/service-name and owned by the Service (so it goes with it),
// listing every pod of the namespace that matches the selector and has an IP, ready when the pod's Ready
// condition is True and it is not terminating, with its UID in targetRef, as the real controller does.
// One slice per Service is enough here (the real controller splits at 100 endpoints).
import type { KubeObject } from '../../../adapters/kube-fake/index.js';
import { SERVICE_NAME_LABEL } from '../../../handlers/k8s/endpoint-slice.js';
import { type ClusterAction, controllerRef, isTerminating, ownedBy, rec, recs, refOf } from './cluster-objects.js';
import { canonicalJson, templateHash } from './template-hash.js';

const MANAGED_BY = { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };

export type EndpointSliceSnapshot = {
  readonly services: readonly KubeObject[];
  readonly pods: readonly KubeObject[];
  readonly endpointSlices: readonly KubeObject[];
};

export function planEndpointSlices(s: EndpointSliceSnapshot): ClusterAction[] {
  const out: ClusterAction[] = [];
  for (const svc of s.services) {
    const selector = rec(rec(svc['spec'])['selector']) as Record<string, unknown>;
    if (isTerminating(svc) || Object.keys(selector).length === 0) continue;
    const namespace = svc.metadata.namespace ?? 'default';
    const service = svc.metadata.name ?? '';
    const want = {
      endpoints: s.pods
        .filter((p) => p.metadata.namespace === namespace && matches(p, selector) && podIp(p) !== '' && !isFinished(p))
        .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))
        .map((p) => endpointOf(p, service)),
      ports: recs(rec(svc['spec'])['ports']).map((p) => ({
        ...(typeof p['name'] === 'string' ? { name: p['name'] } : {}),
        port: typeof p['targetPort'] === 'number' ? p['targetPort'] : p['port'],
        protocol: p['protocol'] ?? 'TCP',
      })),
    };
    const [current, ...extra] = ownedBy(s.endpointSlices, svc);
    for (const old of extra) out.push({ op: 'delete', ref: refOf(old) });
    if (!current) {
      out.push({
        op: 'create',
        obj: {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `${service}-${templateHash(svc.metadata.uid ?? service)}`,
            namespace,
            labels: { [SERVICE_NAME_LABEL]: service, ...MANAGED_BY },
            ownerReferences: [controllerRef(svc)],
          },
          addressType: 'IPv4',
          ...want,
        },
      });
    } else if (canonicalJson([current['endpoints'] ?? [], current['ports'] ?? []]) !== canonicalJson([want.endpoints, want.ports])) {
      out.push({ op: 'patch', ref: refOf(current), patch: want });
    }
  }
  return out;
}

function endpointOf(pod: KubeObject, service: string): Record<string, unknown> {
  const spec = rec(pod['spec']);
  const terminating = isTerminating(pod);
  const ready = !terminating && recs(rec(pod['status'])['conditions']).some((c) => c['type'] === 'Ready' && c['status'] === 'True');
  // A pod's hostname is published under a (headless) Service named like its subdomain.
  const hostname = typeof spec['hostname'] === 'string' && spec['subdomain'] === service ? { hostname: spec['hostname'] } : {};
  return {
    addresses: [podIp(pod)],
    conditions: { ready, serving: ready, terminating },
    ...hostname,
    ...(typeof spec['nodeName'] === 'string' ? { nodeName: spec['nodeName'] } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
  };
}

function matches(pod: KubeObject, selector: Record<string, unknown>): boolean {
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function podIp(pod: KubeObject): string {
  const ip = rec(pod['status'])['podIP'];
  return typeof ip === 'string' ? ip : '';
}

function isFinished(pod: KubeObject): boolean {
  const phase = rec(pod['status'])['phase'];
  return phase === 'Succeeded' || phase === 'Failed';
}

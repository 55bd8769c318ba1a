// The scheduler and the kubelet of the simulated cluster: a pending pod is bound to a ready node (the
// first by name; the sandbox has one), and a bound pod on an existing node is started: phase Running,
// Ready, an IP (the node's for hostNetwork pods, else the lowest free one in the pod CIDR).
import type { KubeObject } from '../../../adapters/kube-fake/index.js';
import { type ClusterAction, type ClusterSnapshot, isTerminating, rec, recs, refOf } from './cluster-objects.js';

/** minikube's pod network. */
const POD_CIDR_PREFIX = '10.244.0.';

export function planScheduling(s: ClusterSnapshot): ClusterAction[] {
  const node = s.nodes.filter((n) => !isTerminating(n) && isReady(n)).map((n) => n.metadata.name ?? '').sort()[0];
  if (node === undefined) return [];
  return s.pods
    .filter((p) => !isTerminating(p) && !rec(p['spec'])['nodeName'])
    .map((p) => ({ op: 'patch', ref: refOf(p), patch: { spec: { nodeName: node } } }) as const);
}

export function planKubelet(s: ClusterSnapshot, startedAt: string): ClusterAction[] {
  const nodes = new Map(s.nodes.filter((n) => !isTerminating(n)).map((n) => [n.metadata.name ?? '', n]));
  const used = new Set(s.pods.map((p) => rec(p['status'])['podIP']).filter((ip): ip is string => typeof ip === 'string'));
  const out: ClusterAction[] = [];
  for (const pod of s.pods) {
    const node = nodes.get(String(rec(pod['spec'])['nodeName'] ?? ''));
    if (!node || isTerminating(pod) || rec(pod['status'])['phase'] === 'Running') continue;
    const hostIP = internalIp(node);
    const podIP = rec(pod['spec'])['hostNetwork'] === true ? hostIP : freeIp(used);
    used.add(podIP);
    const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: startedAt });
    out.push({
      op: 'patch',
      ref: refOf(pod),
      subresource: 'status',
      patch: {
        status: {
          phase: 'Running',
          hostIP,
          podIP,
          podIPs: [{ ip: podIP }],
          startTime: startedAt,
          conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
          containerStatuses: recs(rec(pod['spec'])['containers']).map((c) => ({
            name: c['name'],
            image: c['image'],
            imageID: '',
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt } },
          })),
        },
      },
    });
  }
  return out;
}

function isReady(node: KubeObject): boolean {
  return recs(rec(node['status'])['conditions']).some((c) => c['type'] === 'Ready' && c['status'] === 'True');
}

function internalIp(node: KubeObject): string {
  const addr = recs(rec(node['status'])['addresses']).find((a) => a['type'] === 'InternalIP');
  return typeof addr?.['address'] === 'string' ? addr['address'] : '127.0.0.1';
}

function freeIp(used: Set<string>): string {
  for (let i = 2; i < 255; i++) if (!used.has(POD_CIDR_PREFIX + i)) return POD_CIDR_PREFIX + i;
  throw new Error('the sandbox pod network (10.244.0.0/24) is full');
}

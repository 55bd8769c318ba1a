import { nodeSpiffeId, type NodeSpiffeIdConfig } from '../crd-node/node-spiffeid.js';
import { backendsOfSlices, serviceDnsNames } from '../crd-endpoints/service-dns-names.js';
import type { EndpointSlice } from '../k8s/endpoint-slice.js';
import type { Node } from '../k8s/node.js';
import type { Pod } from '../k8s/pod.js';
import type { DeclaredSpiffeId } from '../spiffeid/declared-spiffeid.js';
import type { CrdTemplates } from '../templates/crd-templates.js';
import { podSpiffeId, type PodSpiffeIdConfig } from './pod-spiffeid.js';

export type ClusterView = {
  readonly nodes: readonly Node[];
  readonly pods: readonly Pod[];
  /** discovery.k8s.io/v1 EndpointSlices (add_svc_dns_name). */
  readonly endpointSlices: readonly EndpointSlice[];
};

export type CrdControllersConfig = NodeSpiffeIdConfig &
  PodSpiffeIdConfig & {
    readonly podController: boolean;
    readonly addSvcDnsName: boolean;
  };

export type DeclaredSet = {
  readonly declared: readonly DeclaredSpiffeId[];
  /** UIDs of the nodes and pods the controllers looked at (see planDeclaredSpiffeIds). */
  readonly liveOwnerUids: ReadonlySet<string>;
  readonly invalid: readonly { readonly kind: 'Node' | 'Pod'; readonly namespace: string; readonly name: string; readonly reason: string }[];
};

/**
 * Every SpiffeID the node, pod and endpoints controllers want, from one view of the cluster.
 * `pod_controller = false` turns off the node and pod controllers together, as in the original (where
 * the key gated both): only hand-made SpiffeIDs are mirrored, and nothing is declared or cleaned up here.
 */
export function declaredSpiffeIds(view: ClusterView, cfg: CrdControllersConfig, templates: CrdTemplates): DeclaredSet {
  const declared: DeclaredSpiffeId[] = [];
  const live = new Set<string>();
  const invalid: DeclaredSet['invalid'][number][] = [];
  if (!cfg.podController) return { declared, liveOwnerUids: live, invalid };

  for (const node of view.nodes) {
    live.add(node.metadata.uid);
    const out = nodeSpiffeId(node, cfg);
    if (out.kind === 'declare') declared.push(out.spiffeId);
    else invalid.push({ kind: 'Node', namespace: '', name: node.metadata.name, reason: out.reason });
  }

  const svcNames = serviceDnsNames(cfg.addSvcDnsName ? backendsOfSlices(view.endpointSlices) : []);
  for (const pod of view.pods) {
    if (cfg.disabledNamespaces.includes(pod.metadata.namespace)) continue;
    live.add(pod.metadata.uid);
    const out = podSpiffeId(pod, cfg, templates, svcNames.forPod(pod));
    if (out.kind === 'declare') declared.push(out.spiffeId);
    else if (out.kind === 'invalid') invalid.push({ kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, reason: out.reason });
  }
  return { declared, liveOwnerUids: live, invalid };
}

import { nodeSpiffeId, type NodeOutcome, type NodeSpiffeIdConfig } from '../crd-node/node-spiffeid.js';
import { backendsOfSlices, serviceDnsNames, type ServiceDnsNames } from '../crd-endpoints/service-dns-names.js';
import type { EndpointSlice } from '../k8s/endpoint-slice.js';
import type { Node } from '../k8s/node.js';
import type { Pod } from '../k8s/pod.js';
import type { DeclaredSpiffeId } from '../spiffeid/declared-spiffeid.js';
import type { CrdTemplates } from '../templates/crd-templates.js';
import { podSpiffeId, type PodOutcome, type PodSpiffeIdConfig } from './pod-spiffeid.js';

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
 * The per-object work of the node and pod controllers, each a pure function of its arguments and the
 * fixed config and templates. The runtime passes memoized versions (runtime/crd/crd-plan-cache.ts, keyed
 * by the informer's object, which is replaced on every change) so unchanged pods are not rendered again.
 */
export type ControllerDerivations = {
  readonly node: (node: Node) => NodeOutcome;
  /** @param serviceDnsNames the pod's `<svc>.<ns>.svc` names (add_svc_dns_name), see podSpiffeId */
  readonly pod: (pod: Pod, serviceDnsNames: readonly string[]) => PodOutcome;
};

/** The derivations computed afresh on every call. */
export function controllerDerivations(cfg: CrdControllersConfig, templates: CrdTemplates): ControllerDerivations {
  return { node: (n) => nodeSpiffeId(n, cfg), pod: (p, names) => podSpiffeId(p, cfg, templates, names) };
}

const NO_NAMES: readonly string[] = Object.freeze([]);

/**
 * The service DNS names of every pod behind a ready endpoint (add_svc_dns_name); undefined when there are
 * none: without ready endpoints every pod's list is empty, no index to build, nothing to look up per pod.
 */
export function serviceNamesOf(slices: readonly EndpointSlice[], cfg: Pick<CrdControllersConfig, 'addSvcDnsName'>): ServiceDnsNames | undefined {
  const backends = cfg.addSvcDnsName ? backendsOfSlices(slices) : [];
  return backends.length > 0 ? serviceDnsNames(backends) : undefined;
}

/** The names declaredSpiffeIds gives `derive.pod` for this pod. */
export function podServiceNames(svcNames: ServiceDnsNames | undefined, pod: Pod): readonly string[] {
  return svcNames ? svcNames.forPod(pod) : NO_NAMES;
}

/**
 * Every SpiffeID the node, pod and endpoints controllers want, from one view of the cluster.
 * `known.svcNames` is serviceNamesOf(view.endpointSlices), for a caller that keeps it (see crd-slice.ts).
 * `pod_controller = false` turns off the node and pod controllers together, as in the original (where
 * the key gated both): only hand-made SpiffeIDs are mirrored, and nothing is declared or cleaned up here.
 */
export function declaredSpiffeIds(
  view: ClusterView,
  cfg: CrdControllersConfig,
  templates: CrdTemplates,
  derive: ControllerDerivations = controllerDerivations(cfg, templates),
  known?: { readonly svcNames: ServiceDnsNames | undefined },
): DeclaredSet {
  // Wrapped: `undefined` (no ready endpoints) is a value here, which a parameter default would recompute.
  const svcNames = known ? known.svcNames : serviceNamesOf(view.endpointSlices, cfg);
  const declared: DeclaredSpiffeId[] = [];
  const live = new Set<string>();
  const invalid: DeclaredSet['invalid'][number][] = [];
  if (!cfg.podController) return { declared, liveOwnerUids: live, invalid };

  for (const node of view.nodes) {
    live.add(node.metadata.uid);
    const out = derive.node(node);
    if (out.kind === 'declare') declared.push(out.spiffeId);
    else invalid.push({ kind: 'Node', namespace: '', name: node.metadata.name, reason: out.reason });
  }

  for (const pod of view.pods) {
    if (cfg.disabledNamespaces.includes(pod.metadata.namespace)) continue;
    live.add(pod.metadata.uid);
    const out = derive.pod(pod, podServiceNames(svcNames, pod));
    if (out.kind === 'declare') declared.push(out.spiffeId);
    else if (out.kind === 'invalid') invalid.push({ kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, reason: out.reason });
  }
  return { declared, liveOwnerUids: live, invalid };
}

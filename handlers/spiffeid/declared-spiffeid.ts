import type { OwnerReference } from '../k8s/object-meta.js';
import type { SpiffeId, SpiffeIdSpec } from './spiffeid.js';

/** A SpiffeID a controller (node, pod) wants to exist, owned by one Kubernetes object. */
export type DeclaredSpiffeId = {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The controller owner reference (Node or Pod): Kubernetes' garbage collector deletes the SpiffeID with it. */
  readonly owner: OwnerReference;
  readonly spec: SpiffeIdSpec;
};

/** A spec as a controller builds it: the fields it sets. */
export type DeclaredSpecInit = {
  readonly parentId?: string;
  readonly spiffeId: string;
  readonly selector?: {
    readonly cluster?: string;
    readonly agent_node_uid?: string;
    readonly podLabel?: Record<string, string>;
    readonly podName?: string;
    readonly podUid?: string;
    readonly namespace?: string;
    readonly serviceAccount?: string;
    readonly containerImage?: string;
    readonly containerName?: string;
    readonly nodeName?: string;
    readonly arbitrary?: string[];
  };
  readonly downstream?: boolean;
  readonly dnsNames?: string[];
  readonly federatesWith?: string[];
};

/**
 * The spec with the same defaults as one read from the API (SpiffeIdSpecSchema's), built directly: the
 * controllers declare one per pod on every pass, and a valibot parse output is twice the size (its
 * arrays grow by push), all of it live until the pass ends.
 */
export function declaredSpec(spec: DeclaredSpecInit): SpiffeIdSpec {
  const sel = spec.selector ?? {};
  return {
    parentId: spec.parentId ?? '',
    spiffeId: spec.spiffeId,
    selector: {
      cluster: sel.cluster ?? '',
      agent_node_uid: sel.agent_node_uid ?? '',
      podLabel: sel.podLabel ?? {},
      podName: sel.podName ?? '',
      podUid: sel.podUid ?? '',
      namespace: sel.namespace ?? '',
      serviceAccount: sel.serviceAccount ?? '',
      containerImage: sel.containerImage ?? '',
      containerName: sel.containerName ?? '',
      nodeName: sel.nodeName ?? '',
      arbitrary: sel.arbitrary ?? [],
    },
    downstream: spec.downstream ?? false,
    dnsNames: spec.dnsNames ?? [],
    federatesWith: spec.federatesWith ?? [],
  };
}

/** The controller owner reference of an object, if it has one. */
export function controllerOwner(s: Pick<SpiffeId, 'metadata'>): OwnerReference | undefined {
  return (s.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

/**
 * True when two specs declare the same entry: same IDs, same selectors, same DNS names in the same order
 * (the first one becomes the certificate's CN), same federatesWith set and downstream flag.
 */
export function sameSpec(a: SpiffeIdSpec, b: SpiffeIdSpec): boolean {
  return canonical(a) === canonical(b);
}

function canonical(s: SpiffeIdSpec): string {
  const sel = s.selector;
  const sortedLabels = Object.entries(sel.podLabel ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify([
    s.parentId,
    s.spiffeId,
    sel.cluster,
    sel.agent_node_uid,
    sortedLabels,
    sel.podName,
    sel.podUid,
    sel.namespace,
    sel.serviceAccount,
    sel.containerImage,
    sel.containerName,
    sel.nodeName,
    [...(sel.arbitrary ?? [])].sort(),
    s.downstream,
    s.dnsNames ?? [],
    [...(s.federatesWith ?? [])].sort(),
  ]);
}

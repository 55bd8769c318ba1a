// What crd mode's informer caches hold of each object: exactly the fields the handlers (declared
// SpiffeIDs, entry plans, validation, namespace policy) and the SpiffeID writer's guarded patches read,
// built as fresh objects. A valibot parse output is not kept: it carries every unknown key of a loose
// object and grows its arrays by push (~150 bytes for a one-element list). Repeated strings go through one
// interner per set of informers and empty lists and maps are shared (runtime/kube/shared-values.ts). At
// 10,000 pods the SpiffeID and pod caches are most of the registrar's live heap (bench/README.md).
import { federatesWithAnnotation } from '../../handlers/admission-validate/federates-with.js';
import { SERVICE_NAME_LABEL, type Endpoint, type EndpointSlice } from '../../handlers/k8s/endpoint-slice.js';
import type { Node } from '../../handlers/k8s/node.js';
import type { ObjectMeta } from '../../handlers/k8s/object-meta.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import { SPIFFEID_FINALIZER, type SpiffeId, type SpiffeIdCondition, type SpiffeIdSelector } from '../../handlers/spiffeid/spiffeid.js';
import { EMPTY_LIST, EMPTY_MAP, NO_CONTAINERS, NO_OWNERS, NO_POD_STATUS, createInterner, internList, pickInterned, type Interner } from '../kube/shared-values.js';

export type PodProjectionConfig = {
  readonly podLabel?: string;
  readonly podAnnotation?: string;
  readonly identityTemplateLabel?: string;
};

/** The labels the node and pod controllers put on the SpiffeIDs they declare (plan-declared compares them). */
export const DECLARED_SPIFFEID_LABELS = ['podUid', 'nodeUid'] as const;

export type CrdProjections = {
  readonly node: (n: Node) => Node;
  readonly pod: (p: Pod) => Pod;
  readonly slice: (e: EndpointSlice) => EndpointSlice;
  readonly spiffeId: (s: SpiffeId) => SpiffeId;
};

const OUR_FINALIZER_ONLY: string[] = Object.freeze([SPIFFEID_FINALIZER]) as unknown as string[];

export function crdProjections(cfg: PodProjectionConfig, intern: Interner = createInterner()): CrdProjections {
  const meta = (m: ObjectMeta): ObjectMeta => ({
    name: m.name,
    namespace: intern(m.namespace),
    uid: m.uid,
    labels: EMPTY_MAP,
    annotations: EMPTY_MAP,
    ownerReferences: NO_OWNERS,
    finalizers: EMPTY_LIST,
  });

  /** Name and UID: a node's heartbeats cause no event. */
  const node = (n: Node): Node => ({ metadata: meta(n.metadata) });

  /** What identity, selectors, templates and federation read; only the configured labels and annotations. */
  const pod = (p: Pod): Pod => ({
    metadata: {
      ...meta(p.metadata),
      labels: pickInterned(intern, p.metadata.labels, [cfg.podLabel, cfg.identityTemplateLabel]),
      annotations: pickInterned(intern, p.metadata.annotations, [cfg.podAnnotation, federatesWithAnnotation]),
    },
    spec: {
      nodeName: intern(p.spec.nodeName),
      serviceAccountName: intern(p.spec.serviceAccountName),
      hostname: p.spec.hostname,
      subdomain: '',
      containers: NO_CONTAINERS,
    },
    status: NO_POD_STATUS,
  });

  /** The Service label and, per endpoint, the ready condition and the pod reference (no addresses, ports or topology). */
  const slice = (e: EndpointSlice): EndpointSlice => {
    const service = e.metadata.labels?.[SERVICE_NAME_LABEL];
    return {
      metadata: { ...meta(e.metadata), ...(service !== undefined ? { labels: { [SERVICE_NAME_LABEL]: intern(service) } } : {}) },
      endpoints: (e.endpoints ?? []).map(
        (p): Endpoint => ({
          addresses: EMPTY_LIST,
          conditions: { ready: p.conditions?.ready ?? null },
          ...(p.targetRef
            ? { targetRef: { kind: intern(p.targetRef.kind), name: p.targetRef.name, namespace: intern(p.targetRef.namespace), uid: p.targetRef.uid } }
            : {}),
        }),
      ),
    };
  };

  /**
   * Everything the SpiffeID plans read, and what the writer's guarded patches need (resourceVersion, the
   * whole finalizer list: a merge patch replaces it); annotations, managedFields, other labels and owner
   * references other than the controller dropped. A change of an unprojected field alone still bumps the
   * resourceVersion and so causes a pass, which finds nothing to write.
   */
  const spiffeId = (s: SpiffeId): SpiffeId => {
    const m = s.metadata;
    const owner = (m.ownerReferences ?? []).find((r) => r.controller === true);
    // The podUid (nodeUid) label, the podUid selector, the owner's name and the first DNS name repeat the
    // owner's UID or the object's name: keep one copy.
    const ownerUid = owner?.uid;
    const once = (x: string) => (x === ownerUid ? ownerUid : x === m.name ? m.name : x);
    const spec = s.spec;
    return {
      metadata: {
        name: m.name,
        namespace: intern(m.namespace),
        uid: m.uid,
        ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
        labels: pickInterned(once, m.labels, DECLARED_SPIFFEID_LABELS),
        annotations: EMPTY_MAP,
        ownerReferences: owner
          ? [{ apiVersion: intern(owner.apiVersion), kind: intern(owner.kind), name: once(owner.name), uid: owner.uid, controller: true }]
          : NO_OWNERS,
        finalizers: finalizers(intern, m.finalizers),
        ...(m.creationTimestamp ? { creationTimestamp: intern(m.creationTimestamp) } : {}),
        ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
      },
      spec: {
        parentId: intern(spec.parentId),
        spiffeId: intern(spec.spiffeId),
        selector: selector(intern, once, spec.selector),
        downstream: spec.downstream,
        dnsNames: internList(once, spec.dnsNames),
        federatesWith: internList(intern, spec.federatesWith),
      },
      status: {
        ...(s.status.entryId !== undefined ? { entryId: s.status.entryId } : {}),
        conditions: (s.status.conditions ?? []).map(
          (c): SpiffeIdCondition => ({
            // Whole: a status write sends every condition back (a merge patch replaces the list).
            ...c,
            type: intern(c.type),
            status: intern(c.status),
            reason: intern(c.reason),
            message: intern(c.message),
            lastTransitionTime: intern(c.lastTransitionTime),
          }),
        ),
      },
    };
  };

  return { node, pod, slice, spiffeId };
}

function finalizers(intern: Interner, list: readonly string[] | null | undefined): string[] {
  if (!list || list.length === 0) return EMPTY_LIST;
  if (list.length === 1 && list[0] === SPIFFEID_FINALIZER) return OUR_FINALIZER_ONLY;
  return list.map(intern);
}

function selector(intern: Interner, once: Interner, sel: SpiffeIdSelector): SpiffeIdSelector {
  const labels = sel.podLabel ?? {};
  return {
    cluster: intern(sel.cluster),
    agent_node_uid: once(sel.agent_node_uid),
    podLabel: Object.keys(labels).length === 0 ? EMPTY_MAP : pickInterned(intern, labels, Object.keys(labels)),
    podName: once(sel.podName),
    podUid: once(sel.podUid),
    namespace: intern(sel.namespace),
    serviceAccount: intern(sel.serviceAccount),
    containerImage: intern(sel.containerImage),
    containerName: intern(sel.containerName),
    nodeName: intern(sel.nodeName),
    arbitrary: internList(intern, sel.arbitrary),
  };
}

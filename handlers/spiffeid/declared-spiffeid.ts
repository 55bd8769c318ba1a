import * as v from 'valibot';
import type { OwnerReference } from '../k8s/object-meta.js';
import { SpiffeIdSpecSchema, type SpiffeId, type SpiffeIdSpec } from './spiffeid.js';

/** A SpiffeID a controller (node, pod) wants to exist, owned by one Kubernetes object. */
export type DeclaredSpiffeId = {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The controller owner reference (Node or Pod): Kubernetes' garbage collector deletes the SpiffeID with it. */
  readonly owner: OwnerReference;
  readonly spec: SpiffeIdSpec;
};

/** Parses a plain spec (as a controller builds it) so it carries the same defaults as one read from the API. */
export function declaredSpec(spec: v.InferInput<typeof SpiffeIdSpecSchema>): SpiffeIdSpec {
  return v.parse(SpiffeIdSpecSchema, spec);
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

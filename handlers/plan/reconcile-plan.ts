import { diffEntries } from '../entries/diff-entries.js';
import type { Entry } from '../entries/entry.js';
import { nodeObjectKey, podObjectKey, reconcileOwnership } from '../entries/ownership.js';
import type { EndpointSlice } from '../k8s/endpoint-slice.js';
import type { Node } from '../k8s/node.js';
import type { Pod } from '../k8s/pod.js';
import { nodeEntries, nodeRootId } from '../node-reconcile/node-entries.js';
import { podEntries, type PodEntriesConfig } from '../pod-reconcile/pod-entries.js';
import type { ChangePlan } from './change-plan.js';
import { withReasons } from './plan-reasons.js';

// Reconcile mode's full pass (runtime/reconcile/reconciler.ts) as a plan: the same declared entries,
// ownership and diff, with the reason for each change.

export type ReconcileView = { readonly nodes: readonly Node[]; readonly pods: readonly Pod[]; readonly endpointSlices: readonly EndpointSlice[] };

export function planReconcile(view: ReconcileView, entries: readonly Entry[], cfg: PodEntriesConfig): ChangePlan {
  const own = reconcileOwnership(nodeRootId(cfg), cfg.cluster);
  const n = nodeEntries(view.nodes, cfg);
  const p = podEntries(view.pods, cfg.addPodDnsNames ? view.endpointSlices : [], cfg);
  const declared = [...n.declared, ...p.declared];
  const issues = new Map([...n.issues, ...p.issues].map((i) => [i.object, i.reason]));
  return withReasons(diffEntries(declared, entries, own), declared, entries, own, {
    exists: existing(view),
    issue: (o) => issues.get(o),
    problems: [...issues].map(([o, reason]) => `${o}: ${reason}`),
  });
}

function existing(view: ReconcileView): (object: string) => boolean {
  const objects = new Set([
    ...view.nodes.map((n) => nodeObjectKey(n.metadata.name)),
    ...view.pods.map((p) => podObjectKey(p.metadata.namespace, p.metadata.name)),
  ]);
  return (o) => objects.has(o);
}

import type { Entry } from '../entries/entry.js';
import { entryKey } from '../entries/entry-key.js';
import { isJoinTokenEntry, podObjectKey } from '../entries/ownership.js';
import type { Pod } from '../k8s/pod.js';
import { reviewPod, podSelectors, type PodReviewConfig } from '../admission-validate/review-pod.js';
import { clusterNodeEntry, clusterNodeId } from '../webhook-node/cluster-node-entry.js';
import { sameSelectorSet } from '../entries/selectors.js';
import { NOT_OWNED, type Change, type ChangePlan } from './change-plan.js';

// Webhook mode is edge-based: entries follow pod CREATE and DELETE admissions. What swapping in the
// registrar would change is what catching up with the pods that exist means: the cluster node entry if it
// is missing, every pod's entry as its CREATE admission (reviewPod, the same handler) would create it, and
// the deletion of entries parented to the cluster node entry whose pod no longer exists. Entries of pods
// that exist are never deleted in this mode (only a pod's DELETE does that), so they are left alone.

export function planWebhookCatchUp(pods: readonly Pod[], entries: readonly Entry[], cfg: PodReviewConfig): ChangePlan {
  const parent = clusterNodeId(cfg);
  const have = new Set(entries.map(entryKey));
  const create: Change[] = [];
  const problems: string[] = [];
  const node = clusterNodeEntry(cfg);
  if (!have.has(entryKey(node))) create.push({ entry: node, reason: 'no cluster node entry' });

  const livePods = new Set<string>();
  for (const pod of pods) {
    const { namespace, name } = pod.metadata;
    livePods.add(podObjectKey(namespace, name));
    const review = reviewPod(
      { uid: 'plan', kind: { group: '', version: 'v1', kind: 'Pod' }, subResource: '', name, namespace, operation: 'CREATE', object: pod, dryRun: false },
      cfg,
    );
    for (const op of review.ops) {
      if (op.op === 'create' && !have.has(entryKey(op.entry))) create.push({ entry: op.entry, reason: `no entry for pod ${namespace}/${name}` });
    }
    for (const w of review.response.warnings ?? []) problems.push(`pod/${namespace}/${name}: ${w}`);
  }

  const del: Change[] = [];
  const leftAlone: Change[] = [];
  for (const e of entries) {
    const pod = e.parentId === parent && !isJoinTokenEntry(e) ? podOf(e) : undefined;
    if (pod === undefined) {
      if (entryKey(e) !== entryKey(node)) leftAlone.push({ entry: e, reason: NOT_OWNED });
    } else if (!livePods.has(pod)) {
      del.push({ entry: e, reason: 'no pod' });
    }
  }
  return { create, update: [], delete: del, leftAlone, problems };
}

/** `pod/<ns>/<name>` when the selectors are exactly the ones webhook mode gives a pod's entry. */
function podOf(e: Entry): string | undefined {
  const ns = e.selectors.find((s) => s.type === 'k8s' && s.value.startsWith('ns:'))?.value.slice(3);
  const name = e.selectors.find((s) => s.type === 'k8s' && s.value.startsWith('pod-name:'))?.value.slice(9);
  if (ns === undefined || name === undefined || !sameSelectorSet(e.selectors, podSelectors(ns, name))) return undefined;
  return podObjectKey(ns, name);
}

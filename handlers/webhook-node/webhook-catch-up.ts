import { webhookPodEntry, type PodReviewConfig } from '../admission-validate/review-pod.js';
import { diffEntries, type DeclaredEntry, type EntryPlan } from '../entries/diff-entries.js';
import type { Entry } from '../entries/entry.js';
import { podObjectKey, webhookOwnership } from '../entries/ownership.js';
import type { Pod } from '../k8s/pod.js';
import { clusterNodeId } from './cluster-node-entry.js';

// Webhook mode's catch-up (webhook_resync = true): admission is edge-based, so a review answered 500
// (SPIRE down), a pod admitted while the webhook was unreachable (failurePolicy Ignore) or a DELETE that
// failed leaves SPIRE out of step for good. The catch-up compares the pods that exist with the entries
// parented to the cluster node entry and plans the difference, rendering each pod exactly as its
// admission review would (webhookPodEntry), so both paths agree on every entry.

export type CatchUpIssue = { readonly object: string; readonly reason: string };
export type CatchUpPlan = EntryPlan & { readonly issues: readonly CatchUpIssue[] };

/**
 * The entries the webhook would have created for `pods`. A pod being deleted has none: its DELETE
 * admission removed the entry already, and the catch-up must not bring it back. Pods in disabled
 * namespaces have none either, and neither do pods without an identity; an invalid one is an issue.
 */
export function webhookDeclaredEntries(pods: readonly Pod[], cfg: PodReviewConfig): { declared: DeclaredEntry[]; issues: CatchUpIssue[] } {
  const declared: DeclaredEntry[] = [];
  const issues: CatchUpIssue[] = [];
  for (const pod of pods) {
    const { namespace, name, deletionTimestamp } = pod.metadata;
    if (name === '' || deletionTimestamp || cfg.disabledNamespaces.includes(namespace)) continue;
    const source = podObjectKey(namespace, name);
    const rendered = webhookPodEntry(pod, cfg);
    if (rendered.kind === 'entry') declared.push({ entry: rendered.entry, source });
    else if (rendered.kind === 'invalid') issues.push({ object: source, reason: rendered.reason });
  }
  return { declared, issues };
}

/**
 * What brings the owned entries under the cluster node entry in line with `pods`. Entries of pods in a
 * disabled namespace are not the webhook's (it never writes there) and are left alone, as are entries
 * whose selectors do not name exactly one pod.
 */
export function planWebhookCatchUp(pods: readonly Pod[], current: readonly Entry[], cfg: PodReviewConfig): CatchUpPlan {
  const { declared, issues } = webhookDeclaredEntries(pods, cfg);
  const own = webhookOwnership(clusterNodeId(cfg));
  const disabled = new Set(cfg.disabledNamespaces.map((ns) => `pod/${ns}/`));
  const owned = current.filter((e) => {
    const object = own.objectOf(e);
    return object !== undefined && ![...disabled].some((prefix) => object.startsWith(prefix));
  });
  return { ...diffEntries(declared, owned, own), issues };
}

import type { Entry } from '../entries/entry.js';
import { entryKey } from '../entries/entry-key.js';
import { podObjectKey, webhookOwnership } from '../entries/ownership.js';
import type { Pod } from '../k8s/pod.js';
import type { PodReviewConfig } from '../admission-validate/review-pod.js';
import { clusterNodeEntry, clusterNodeId } from '../webhook-node/cluster-node-entry.js';
import { planWebhookCatchUp, webhookDeclaredEntries } from '../webhook-node/webhook-catch-up.js';
import type { ChangePlan } from './change-plan.js';
import { withReasons } from './plan-reasons.js';

// Webhook mode is edge-based: entries follow pod CREATE and DELETE admissions. What swapping in the
// registrar would change is its catch-up (handlers/webhook-node/webhook-catch-up.ts, the same handler the
// webhook_resync upkeep runs): the cluster node entry if it is missing, the entry of every pod as its
// admission would make it, and the deletion of entries parented to the cluster node entry whose pod is
// gone. Everything else, including entries of pods in disabled namespaces, is left alone.

export function planWebhook(pods: readonly Pod[], entries: readonly Entry[], cfg: PodReviewConfig): ChangePlan {
  const own = webhookOwnership(clusterNodeId(cfg));
  const catchUp = planWebhookCatchUp(pods, entries, cfg);
  const { declared } = webhookDeclaredEntries(pods, cfg);
  const disabled = cfg.disabledNamespaces.map((ns) => `pod/${ns}/`);
  const node = clusterNodeEntry(cfg);
  const live = new Set(pods.map((p) => podObjectKey(p.metadata.namespace, p.metadata.name)));
  const issues = new Map(catchUp.issues.map((i) => [i.object, i.reason]));
  const plan = withReasons(catchUp, declared, entries, own, {
    exists: (o) => live.has(o),
    issue: (o) => issues.get(o),
    problems: catchUp.issues.map((i) => `${i.object}: ${i.reason}`),
    owned: (e) => {
      const o = own.objectOf(e);
      return entryKey(e) === entryKey(node) || (o !== undefined && !disabled.some((prefix) => o.startsWith(prefix)));
    },
  });
  const hasNode = entries.some((e) => entryKey(e) === entryKey(node));
  return hasNode ? plan : { ...plan, create: [{ entry: node, reason: 'no cluster node entry' }, ...plan.create] };
}

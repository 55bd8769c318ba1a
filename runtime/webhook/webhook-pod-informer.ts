// webhook_resync's pods informer, in a module of its own so that webhook mode without the catch-up never
// loads the Kubernetes client: run-webhook.ts imports this file only when webhook_resync is set. The
// client's modules are ~6-7 MB of live heap and ~10 MiB of RSS that admissions would otherwise carry, and
// every full GC marks them again (bench/README.md, "webhook tail, fourth round").
import type { KubeConfig } from '../../adapters/client-node.js';
import { PodSchema, type Pod } from '../../handlers/k8s/pod.js';
import { federatesWithAnnotation } from '../../handlers/admission-validate/federates-with.js';
import type { WebhookConfig } from '../config/registrar-config.js';
import type { ModeContext } from '../modes/mode-context.js';
import { createInformer, projection, type Informer } from '../kube/informer.js';
import { kubeListWatchSource, type InformerSource } from '../kube/list-watch-source.js';
import { EMPTY_LIST, NO_CONTAINERS, NO_OWNERS, NO_POD_STATUS, createInterner, pickInterned } from '../kube/shared-values.js';

/** Namespaces, service accounts and label values repeat across pods: one copy each (shared-values.ts). */
const podStrings = createInterner();

/**
 * Pods as the catch-up reads them: what webhookPodEntry renders from (name, namespace, deletion, service
 * account, the configured label or annotation, the federation annotation), so other changes cause no events.
 */
function projectWebhookPod(p: Pod, cfg: WebhookConfig): Pod {
  const m = p.metadata;
  return {
    metadata: {
      name: m.name,
      namespace: podStrings(m.namespace),
      uid: m.uid,
      labels: pickInterned(podStrings, m.labels, [cfg.podLabel]),
      annotations: pickInterned(podStrings, m.annotations, [cfg.podAnnotation, federatesWithAnnotation]),
      ownerReferences: NO_OWNERS,
      finalizers: EMPTY_LIST,
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
    },
    spec: { nodeName: '', serviceAccountName: podStrings(p.spec.serviceAccountName), hostname: '', subdomain: '', containers: NO_CONTAINERS },
    status: NO_POD_STATUS,
  };
}

/** The pods informer from `podSource`, else from a list-watch on `kubeConfig`. */
export function webhookPodInformer(
  cfg: WebhookConfig,
  from: { readonly podSource?: InformerSource; readonly kubeConfig?: KubeConfig },
  log: ModeContext['logger'],
): Informer<Pod> {
  const source = from.podSource ?? (from.kubeConfig ? kubeListWatchSource({ kubeConfig: from.kubeConfig, version: 'v1', plural: 'pods' }) : undefined);
  if (!source) throw new Error('webhook_resync needs access to the Kubernetes API (no kube config wired)');
  return createInformer<Pod>({
    source,
    project: projection(PodSchema, (p) => projectWebhookPod(p, cfg), (_raw, issues) =>
      log.warn({ issues: issues.map((i) => i.message) }, 'Ignoring an object that does not parse')),
    log,
  });
}

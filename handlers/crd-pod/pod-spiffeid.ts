import { federatesWithOf } from '../admission-validate/federates-with.js';
import { makeSpiffeId } from '../entries/spiffe-id.js';
import { workloadIdProblem } from '../identity/workload-id-rules.js';
import { workloadSpiffeId } from '../identity/workload-spiffe-id.js';
import { podNamesProblem } from '../identity/kubernetes-names.js';
import { quoteInput } from '../text/quote-input.js';
import { podServiceAccount, type Pod } from '../k8s/pod.js';
import { nodeSpiffeIdOf } from '../crd-node/node-spiffeid.js';
import { declaredSpec, type DeclaredSpiffeId } from '../spiffeid/declared-spiffeid.js';
import { dnsNameError } from '../entries/dns-name.js';
import type { CrdTemplates } from '../templates/crd-templates.js';
import { renderTemplate, type TemplateData } from '../templates/go-template.js';

// Crd mode's pod controller: one SpiffeID per scheduled pod, named after the pod, in its namespace,
// parented to the node's SpiffeID and selecting the pod by UID, namespace and node name.
// Ref: spiffe/spire history, mode-crd/controllers/pod_controller.go.

export type PodSpiffeIdConfig = {
  readonly trustDomain: string;
  readonly cluster: string;
  readonly podLabel?: string;
  readonly podAnnotation?: string;
  readonly identityTemplateLabel?: string;
  readonly context: Readonly<Record<string, string>>;
  readonly disabledNamespaces: readonly string[];
};

export type PodOutcome =
  | { readonly kind: 'declare'; readonly spiffeId: DeclaredSpiffeId }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * @param serviceDnsNames `<svc>.<ns>.svc` names of the Services whose endpoints include this pod
 *   (add_svc_dns_name); appended after the templated names, so the first DNS name (the CN) stays stable.
 */
export function podSpiffeId(
  pod: Pod,
  cfg: PodSpiffeIdConfig,
  templates: CrdTemplates,
  serviceDnsNames: readonly string[] = [],
): PodOutcome {
  const { name, namespace, uid } = pod.metadata;
  if (cfg.disabledNamespaces.includes(namespace)) return { kind: 'skip', reason: 'namespace is disabled' };
  const nodeName = pod.spec.nodeName;
  if (!nodeName) return { kind: 'skip', reason: 'pod is not scheduled to a node yet' };
  // Checked before templates render them into IDs and DNS names (workloadSpiffeId checks them again).
  const names = podNamesProblem(pod);
  if (names) return { kind: 'invalid', reason: names };

  const data: TemplateData = {
    pod: {
      Name: name,
      UID: uid,
      Namespace: namespace,
      ServiceAccount: podServiceAccount(pod),
      Hostname: pod.spec.hostname,
      NodeName: nodeName,
    },
    context: cfg.context,
  };

  const id = podIdentity(pod, cfg, templates, data);
  if (id.kind !== 'id') return id;

  const parent = nodeSpiffeIdOf(cfg.trustDomain, cfg.cluster, nodeName);
  if (!parent.ok) return { kind: 'invalid', reason: `parent (node) SPIFFE ID is not valid: ${parent.error}` };

  const dnsNames: string[] = [];
  for (const t of templates.dnsNames) {
    const dns = renderTemplate(t, data);
    const err = dnsNameError(dns);
    if (err) return { kind: 'invalid', reason: `${t.name} renders ${JSON.stringify(dns)}, not a valid DNS name: ${err}` };
    if (!dnsNames.includes(dns)) dnsNames.push(dns);
  }
  for (const dns of serviceDnsNames) if (!dnsNames.includes(dns)) dnsNames.push(dns);

  const federation = federatesWithOf(pod, cfg.trustDomain);
  if (!federation.ok) return { kind: 'invalid', reason: federation.error };

  return {
    kind: 'declare',
    spiffeId: {
      namespace,
      name,
      labels: { podUid: uid },
      // blockOwnerDeletion false, as the original: a pod can be deleted (foreground, namespace teardown)
      // while the registrar is down and the SpiffeID still holds its finalizer, and clusters enforcing
      // OwnerReferencesPermissionEnforcement do not demand update on pods/finalizers from the registrar.
      owner: { apiVersion: 'v1', kind: 'Pod', name, uid, controller: true, blockOwnerDeletion: false },
      spec: declaredSpec({
        parentId: parent.value,
        spiffeId: id.spiffeId,
        selector: { podUid: uid, namespace, nodeName },
        dnsNames,
        federatesWith: [...federation.trustDomains],
      }),
    },
  };
}

type Identity = { readonly kind: 'id'; readonly spiffeId: string } | Exclude<PodOutcome, { kind: 'declare' }>;

function podIdentity(pod: Pod, cfg: PodSpiffeIdConfig, templates: CrdTemplates, data: TemplateData): Identity {
  if (cfg.podLabel || cfg.podAnnotation || !templates.identity) {
    const w = workloadSpiffeId(pod, { trustDomain: cfg.trustDomain, podLabel: cfg.podLabel, podAnnotation: cfg.podAnnotation });
    if (w.kind === 'none') return { kind: 'skip', reason: w.reason };
    return w;
  }
  if (cfg.identityTemplateLabel) {
    // Only pods labelled `<identity_template_label>: "true"` (any case) get the templated identity.
    const value = pod.metadata.labels?.[cfg.identityTemplateLabel];
    if (value === undefined || value.toLowerCase() !== 'true') {
      return { kind: 'skip', reason: `pod is not labelled ${cfg.identityTemplateLabel}=true` };
    }
  }
  const path = renderTemplate(templates.identity, data);
  const id = makeSpiffeId(cfg.trustDomain, path);
  if (!id.ok) return { kind: 'invalid', reason: `identity_template renders ${quoteInput(path)}, not a valid SPIFFE ID path: ${id.error}` };
  const problem = workloadIdProblem(id.value, cfg);
  if (problem) return { kind: 'invalid', reason: `identity_template renders a SPIFFE ID a workload may not have: ${problem}` };
  return { kind: 'id', spiffeId: id.value };
}

import { makeSpiffeId } from '../entries/spiffe-id.js';
import { podServiceAccount, type Pod } from '../k8s/pod.js';
import { quoteInput } from '../text/quote-input.js';
import { labelValueProblem, podNamesProblem } from './kubernetes-names.js';
import { workloadIdProblem, type WorkloadIdRules } from './workload-id-rules.js';

// How a workload's SPIFFE ID is derived, shared by every mode:
//   pod_label      spiffe://<td>/<label value>        (pods without the label get no identity)
//   pod_annotation spiffe://<td>/<annotation value>   (value may hold `/`: production/example-workload)
//   default        spiffe://<td>/ns/<namespace>/sa/<service account>
// The original built IDs with Go's path.Clean and no validation, so "a//b" silently became "a/b" and an
// ID SPIRE then refused was only seen in SPIRE's logs. We accept one leading "/" (the original's result
// is the same) and otherwise refuse what is not a valid SPIFFE ID, saying why. Every ID then passes the
// workload ID rules (reserved paths, length: workload-id-rules.ts), and the pod's own names must be
// names Kubernetes accepts (kubernetes-names.ts), since they become selectors.

export type IdentityConfig = WorkloadIdRules & {
  readonly podLabel?: string;
  readonly podAnnotation?: string;
};

export type WorkloadIdentity =
  | { readonly kind: 'id'; readonly spiffeId: string }
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string };

export function workloadSpiffeId(pod: Pod, cfg: IdentityConfig): WorkloadIdentity {
  const names = podNamesProblem(pod);
  if (names) return { kind: 'invalid', reason: names };
  if (cfg.podLabel) {
    const value = pod.metadata.labels?.[cfg.podLabel];
    const problem = value === undefined ? undefined : labelValueProblem(value);
    if (problem) return { kind: 'invalid', reason: `label "${cfg.podLabel}" value ${quoteInput(value)} ${problem}` };
    return fromValue('label', cfg.podLabel, value, cfg);
  }
  if (cfg.podAnnotation) return fromValue('annotation', cfg.podAnnotation, pod.metadata.annotations?.[cfg.podAnnotation], cfg);
  const id = makeSpiffeId(cfg.trustDomain, 'ns', pod.metadata.namespace, 'sa', podServiceAccount(pod));
  if (!id.ok) return { kind: 'invalid', reason: `service account identity is not a valid SPIFFE ID: ${id.error}` };
  return checked(id.value, cfg, 'service account identity');
}

function fromValue(what: 'label' | 'annotation', key: string, value: string | undefined, cfg: IdentityConfig): WorkloadIdentity {
  if (value === undefined) return { kind: 'none', reason: `pod has no ${what} "${key}"` };
  const source = `${what} "${key}" value ${quoteInput(value)}`;
  const path = value.startsWith('/') ? value.slice(1) : value;
  const id = makeSpiffeId(cfg.trustDomain, path);
  if (!id.ok) return { kind: 'invalid', reason: `${source} does not make a valid SPIFFE ID: ${id.error}` };
  return checked(id.value, cfg, source);
}

function checked(spiffeId: string, cfg: IdentityConfig, source: string): WorkloadIdentity {
  const problem = workloadIdProblem(spiffeId, cfg);
  return problem ? { kind: 'invalid', reason: `${source} may not be a workload ID: ${problem}` } : { kind: 'id', spiffeId };
}

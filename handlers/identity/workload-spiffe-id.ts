import { makeSpiffeId } from '../entries/spiffe-id.js';
import { podServiceAccount, type Pod } from '../k8s/pod.js';

// How a workload's SPIFFE ID is derived, shared by every mode:
//   pod_label      spiffe://<td>/<label value>        (pods without the label get no identity)
//   pod_annotation spiffe://<td>/<annotation value>   (value may hold `/`: production/example-workload)
//   default        spiffe://<td>/ns/<namespace>/sa/<service account>
// The original built IDs with Go's path.Clean and no validation, so "a//b" silently became "a/b" and an
// ID SPIRE then refused was only seen in SPIRE's logs. We accept one leading "/" (the original's result
// is the same) and otherwise refuse what is not a valid SPIFFE ID, saying why.

export type IdentityConfig = {
  readonly trustDomain: string;
  readonly podLabel?: string;
  readonly podAnnotation?: string;
};

export type WorkloadIdentity =
  | { readonly kind: 'id'; readonly spiffeId: string }
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string };

export function workloadSpiffeId(pod: Pod, cfg: IdentityConfig): WorkloadIdentity {
  if (cfg.podLabel) return fromValue('label', cfg.podLabel, pod.metadata.labels?.[cfg.podLabel], cfg.trustDomain);
  if (cfg.podAnnotation) {
    return fromValue('annotation', cfg.podAnnotation, pod.metadata.annotations?.[cfg.podAnnotation], cfg.trustDomain);
  }
  const id = makeSpiffeId(cfg.trustDomain, 'ns', pod.metadata.namespace, 'sa', podServiceAccount(pod));
  if (!id.ok) return { kind: 'invalid', reason: `service account identity is not a valid SPIFFE ID: ${id.error}` };
  return { kind: 'id', spiffeId: id.value };
}

function fromValue(
  what: 'label' | 'annotation',
  key: string,
  value: string | undefined,
  trustDomain: string,
): WorkloadIdentity {
  if (value === undefined) return { kind: 'none', reason: `pod has no ${what} "${key}"` };
  const path = value.startsWith('/') ? value.slice(1) : value;
  const id = makeSpiffeId(trustDomain, path);
  if (!id.ok) {
    return { kind: 'invalid', reason: `${what} "${key}" value "${value}" does not make a valid SPIFFE ID: ${id.error}` };
  }
  return { kind: 'id', spiffeId: id.value };
}

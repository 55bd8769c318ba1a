import type { Selector } from '../entries/entry.js';
import { selector } from '../entries/selectors.js';
import type { SpiffeIdSelector } from './spiffeid.js';

/**
 * The SPIRE selectors a SpiffeID's `spec.selector` stands for, mapped as the original registrar did:
 * cluster and agent_node_uid are k8s_psat (node attestation) selectors, everything else is a `k8s`
 * workload selector, and each `arbitrary` value is taken as the value of a `k8s` selector.
 * Ref: spiffe/spire history, mode-crd/api/spiffeid/v1beta1/spiffeid_selectors.go (TypesSelector).
 * Pod labels are emitted in key order (Go ranged over a map, so the original's order was random; SPIRE
 * treats selectors as a set anyway).
 */
export function spiffeIdSelectors(s: SpiffeIdSelector): Selector[] {
  const out: Selector[] = [];
  if (s.cluster) out.push(selector('k8s_psat', `cluster:${s.cluster}`));
  if (s.agent_node_uid) out.push(selector('k8s_psat', `agent_node_uid:${s.agent_node_uid}`));
  for (const [k, val] of Object.entries(s.podLabel ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push(selector('k8s', `pod-label:${k}:${val}`));
  }
  if (s.podName) out.push(selector('k8s', `pod-name:${s.podName}`));
  if (s.podUid) out.push(selector('k8s', `pod-uid:${s.podUid}`));
  if (s.namespace) out.push(selector('k8s', `ns:${s.namespace}`));
  if (s.serviceAccount) out.push(selector('k8s', `sa:${s.serviceAccount}`));
  if (s.containerName) out.push(selector('k8s', `container-name:${s.containerName}`));
  if (s.containerImage) out.push(selector('k8s', `container-image:${s.containerImage}`));
  if (s.nodeName) out.push(selector('k8s', `node-name:${s.nodeName}`));
  for (const value of s.arbitrary ?? []) out.push(selector('k8s', value));
  return out;
}

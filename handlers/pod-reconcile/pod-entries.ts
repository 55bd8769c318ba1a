// Reconcile mode, pod controller: one entry per scheduled pod that has an identity, parented to the entry
// of the node it runs on, selected by namespace and pod name, federating with the trust domains of its
// `spiffe.io/federatesWith` annotation.
import { federatesWithOf } from '../admission-validate/federates-with.js';
import type { DeclaredEntry } from '../entries/diff-entries.js';
import { newEntry } from '../entries/entry.js';
import { podObjectKey } from '../entries/ownership.js';
import { selector } from '../entries/selectors.js';
import { workloadSpiffeId, type IdentityConfig } from '../identity/workload-spiffe-id.js';
import type { EndpointSlice } from '../k8s/endpoint-slice.js';
import type { Pod } from '../k8s/pod.js';
import { nodeSpiffeId, type NodeEntriesConfig, type RenderIssue, type Rendered } from '../node-reconcile/node-entries.js';
import { podDnsNames } from './pod-dns-names.js';

export type PodEntriesConfig = NodeEntriesConfig &
  IdentityConfig & {
    readonly disabledNamespaces: readonly string[];
    readonly addPodDnsNames: boolean;
    readonly clusterDnsZone: string;
  };

/**
 * `slices` (EndpointSlices) are only read when `addPodDnsNames` is set. The node's entry ID is derived from
 * spec.nodeName, as the original did: the pod entry does not wait for the Node object to be seen.
 */
export function podEntries(pods: readonly Pod[], slices: readonly EndpointSlice[], cfg: PodEntriesConfig): Rendered {
  const declared: DeclaredEntry[] = [];
  const issues: RenderIssue[] = [];
  const disabled = new Set(cfg.disabledNamespaces);
  const byNamespace = cfg.addPodDnsNames ? groupByNamespace(slices) : new Map<string, EndpointSlice[]>();
  for (const pod of pods) {
    const { name, namespace } = pod.metadata;
    if (!wantsEntry(pod, disabled)) continue;
    const source = podObjectKey(namespace, name);
    const identity = workloadSpiffeId(pod, cfg);
    if (identity.kind === 'none') continue;
    if (identity.kind === 'invalid') {
      issues.push({ object: source, reason: identity.reason });
      continue;
    }
    const parent = nodeSpiffeId(cfg, pod.spec.nodeName);
    if (!parent.ok) {
      issues.push({ object: source, reason: `node name does not make a valid parent ID: ${parent.error}` });
      continue;
    }
    const federation = federatesWithOf(pod, cfg.trustDomain);
    if (!federation.ok) {
      issues.push({ object: source, reason: federation.error });
      continue;
    }
    declared.push({
      source,
      entry: newEntry({
        spiffeId: identity.spiffeId,
        parentId: parent.value,
        selectors: [selector('k8s', `ns:${namespace}`), selector('k8s', `pod-name:${name}`)],
        dnsNames: cfg.addPodDnsNames ? podDnsNames(pod, byNamespace.get(namespace) ?? [], cfg.clusterDnsZone) : [],
        federatesWith: federation.trustDomains,
      }),
    });
  }
  return { declared, issues };
}

/**
 * Scheduled (spec.nodeName set: the parent is known), not terminating, and outside the disabled
 * namespaces. A terminating pod (deletionTimestamp set) loses its entry at once, as in the original, which
 * treated a deletionTimestamp like a delete event: the workload keeps the SVID it holds until it expires.
 */
export function wantsEntry(pod: Pod, disabledNamespaces: ReadonlySet<string>): boolean {
  return pod.spec.nodeName !== '' && !pod.metadata.deletionTimestamp && !disabledNamespaces.has(pod.metadata.namespace);
}

function groupByNamespace(slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    const list = out.get(slice.metadata.namespace);
    if (list) list.push(slice);
    else out.set(slice.metadata.namespace, [slice]);
  }
  return out;
}

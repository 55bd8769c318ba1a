import { federatedTrustDomain } from '../identity/workload-id-rules.js';
import type { ObjectMeta } from '../k8s/object-meta.js';

// The original registrar's federation.go: pods (and, in reconcile mode, nodes) list the trust domains
// their SVIDs federate with in one annotation, comma-separated. Items are trimmed and empty ones dropped ("a, b," is a and b). We also
// parse each name, so a typo is reported to the user instead of failing the whole entry inside SPIRE,
// and refuse the registrar's own trust domain (workload-id-rules.ts).

export const federatesWithAnnotation = 'spiffe.io/federatesWith';

export type FederatesWith =
  | { readonly ok: true; readonly trustDomains: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** The trust domains an object's `spiffe.io/federatesWith` annotation names (pods; nodes in reconcile mode). */
export function federatesWithOf(obj: { readonly metadata: Pick<ObjectMeta, 'annotations'> }, ownTrustDomain: string): FederatesWith {
  const raw = obj.metadata.annotations?.[federatesWithAnnotation];
  if (raw === undefined) return { ok: true, trustDomains: [] };
  const trustDomains: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const td = federatedTrustDomain(item, ownTrustDomain);
    if (!td.ok) return { ok: false, error: `annotation "${federatesWithAnnotation}" item ${td.error}` };
    if (!trustDomains.includes(td.value)) trustDomains.push(td.value);
  }
  return { ok: true, trustDomains };
}

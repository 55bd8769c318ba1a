import type { Entry } from '../entries/entry.js';
import { sameSelectorSet } from '../entries/selectors.js';
import { parseSpiffeId } from '../entries/spiffe-id.js';
import { dnsNameError } from '../entries/dns-name.js';
import { namespacePolicyProblem, type PolicyProblem, type SpiffeIdPolicy } from './namespace-policy.js';
import { spiffeIdSelectors } from './selectors.js';
import { federatedTrustDomain, maxSpiffeIdBytes, workloadIdProblem } from '../identity/workload-id-rules.js';
import { quoteInput } from '../text/quote-input.js';
import type { SpiffeId } from './spiffeid.js';

// The one set of rules a SpiffeID must pass, used by BOTH the validating webhook and the SpiffeID
// controller before any SPIRE write (a webhook can be bypassed or switched off). Messages keep the
// original registrar's wording where it had a rule, so users' greps and runbooks still match.
// Ref: spiffe/spire history, mode-crd/api/spiffeid/v1beta1/spiffeid_webhook.go (validateSpiffeID).
// Difference: the original tested `strings.HasPrefix(id, "spiffe://" + td)`, which let
// `spiffe://example.org.evil/x` through; here both IDs are parsed and their trust domain compared.

export type SpiffeIdRules = {
  readonly trustDomain: string;
  /** The registrar's own namespace: only SpiffeIDs there may use k8s_psat (node) selectors. */
  readonly registrarNamespace: string;
  /** The namespace policy for SpiffeIDs users write (namespace-policy.ts). */
  readonly policy: SpiffeIdPolicy;
};

/**
 * Who the SpiffeID comes from. `registrar`: the registrar's own node/pod controllers declared exactly
 * this SpiffeID (or, in the webhook, the registrar's service account writes it); the namespace policy
 * does not apply, so registrar-made SpiffeIDs work as they always did. Anything else is `user`.
 */
export type SpiffeIdOrigin = 'user' | 'registrar';

export type SpiffeIdRule =
  | 'parentId'
  | 'spiffeId'
  | 'psatSelectorNamespace'
  | 'selectorNamespace'
  | 'dnsNames'
  | 'federatesWith'
  | 'duplicate'
  | PolicyProblem['rule'];

export type SpiffeIdProblem = { readonly rule: SpiffeIdRule; readonly message: string };

/** Returns the first rule the SpiffeID breaks, or undefined when it may have an entry. */
export function validateSpiffeId(s: SpiffeId, rules: SpiffeIdRules, origin: SpiffeIdOrigin = 'user'): SpiffeIdProblem | undefined {
  const prefix = `spiffe://${rules.trustDomain}`;
  const parent = idProblem('parentId', s.spec.parentId, rules.trustDomain, prefix, false);
  if (parent) return parent;
  const own = idProblem('spiffeId', s.spec.spiffeId, rules.trustDomain, prefix, true);
  if (own) return own;

  const sel = s.spec.selector;
  const nodeSelectors = sel.cluster !== '' || sel.agent_node_uid !== '';
  // A SpiffeID that selects pods is a workload: the rules every mode applies to workload IDs
  // (handlers/identity/workload-id-rules.ts: registrar node paths, length).
  const workloadProblem = nodeSelectors ? undefined : workloadIdProblem(s.spec.spiffeId, { trustDomain: rules.trustDomain });
  if (workloadProblem) {
    // A user's SpiffeID that the namespace policy also refuses (a node ID, /spire/...) is told the policy's
    // rule: it names what the user may not claim, where the workload-ID rule only says the path is reserved.
    const policy = origin === 'user' ? namespacePolicyProblem(s, rules) : undefined;
    return policy ?? { rule: 'spiffeId', message: `spec.spiffeId may not be a workload ID: ${workloadProblem}` };
  }
  if (nodeSelectors) {
    // k8s_psat selectors identify nodes: only the registrar itself may declare those.
    if (s.metadata.namespace !== rules.registrarNamespace) {
      return {
        rule: 'psatSelectorNamespace',
        message: 'spec.Selector.Cluster and spec.Selector.AgentNodeUid can only be used by the k8s-workload-registrar',
      };
    }
  } else if (s.metadata.namespace !== sel.namespace) {
    // Without this a user could claim the identity of workloads in another namespace.
    return { rule: 'selectorNamespace', message: 'spec.Selector.Namespace must match namespace of resource' };
  }

  for (const name of s.spec.dnsNames ?? []) {
    const err = dnsNameError(name);
    if (err) return { rule: 'dnsNames', message: `invalid DNS name ${JSON.stringify(name)}: ${err}` };
  }
  for (const td of s.spec.federatesWith ?? []) {
    const parsed = federatedTrustDomain(td, rules.trustDomain);
    if (!parsed.ok) return { rule: 'federatesWith', message: `invalid federatesWith trust domain: ${parsed.error}` };
  }
  return origin === 'user' ? namespacePolicyProblem(s, rules) : undefined;
}

function idProblem(
  rule: 'parentId' | 'spiffeId',
  id: string,
  trustDomain: string,
  prefix: string,
  workload: boolean,
): SpiffeIdProblem | undefined {
  const field = `spec.${rule}`;
  if (id.length > maxSpiffeIdBytes) return { rule, message: `${field} is ${id.length} characters long; the limit is ${maxSpiffeIdBytes}` };
  const parsed = parseSpiffeId(id);
  if (!parsed.ok) return { rule, message: `${field} must begin with ${prefix}: ${quoteInput(id)} is not a valid SPIFFE ID: ${parsed.error}` };
  if (parsed.value.trustDomain !== trustDomain) {
    return { rule, message: `${field} must begin with ${prefix}: ${quoteInput(id)} is in trust domain "${parsed.value.trustDomain}"` };
  }
  if (parsed.value.path === '') return { rule, message: `${field} must have a path after ${prefix}` };
  // SPIRE reserves /spire/... for its own server and agents; it refuses such workload IDs (spire-entry-api.md 4.1).
  if (workload && (parsed.value.path === '/spire' || parsed.value.path.startsWith('/spire/'))) {
    return { rule, message: `${field} must not be in the reserved ${prefix}/spire namespace` };
  }
  return undefined;
}

/**
 * On create: an entry with exactly this SPIFFE ID and this selector set is a duplicate, as the original
 * webhook's ValidateCreate decided. A new object owns no entry yet, so status.entryId (which the caller
 * writes) plays no part.
 * Difference: the original named the existing entry's ID in the message; that handed any caller the ID
 * of an entry it does not own, so the message names none.
 */
export function duplicateOf(s: SpiffeId, entries: readonly Entry[]): SpiffeIdProblem | undefined {
  const selectors = spiffeIdSelectors(s.spec.selector);
  const dup = entries.some((e) => e.spiffeId === s.spec.spiffeId && sameSelectorSet(e.selectors, selectors));
  if (!dup) return undefined;
  return { rule: 'duplicate', message: 'Duplicate detected: an entry with this SPIFFE ID and these selectors already exists' };
}

import { SEGMENT_CHARS } from '../entries/spiffe-id.js';
import { podServiceAccount, type Pod } from '../k8s/pod.js';
import { quoteInput } from '../text/quote-input.js';

// Kubernetes' own limits on the names a pod's entry is built from (apimachinery validation:
// IsDNS1123Subdomain 253, IsDNS1123Label 63, IsValidLabelValue 63). The API server enforces them on every
// stored object, so a pod that breaks one did not come from it: a forged or corrupted review. Checking here
// keeps such values (a 1.4 MB pod name, "a/b" as a service account, which would add a path segment to
// the ID) out of SPIRE selectors and IDs in every mode. The lengths are Kubernetes'; the characters are
// the ones a SPIFFE path segment allows, case not checked, so that names in the upstream registrar's own
// test fixtures ("NAMESPACE", "serviceAccount") keep their identities.

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const kubernetesNameLimits = { dnsSubdomain: 253, dnsLabel: 63, labelValue: 63 } as const;

/** Why `name` cannot be a pod or service account name (a DNS-1123 subdomain's length), or undefined. */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length > kubernetesNameLimits.dnsSubdomain) return `is ${name.length} characters long; the limit is 253`;
  if (!SEGMENT_CHARS.test(name)) return 'is not a Kubernetes name (letters, digits, "-", "." and "_")';
  return undefined;
}

/** Why `name` cannot be a namespace name (a DNS-1123 label's length), or undefined. */
export function dnsLabelProblem(name: string): string | undefined {
  if (name.length > kubernetesNameLimits.dnsLabel) return `is ${name.length} characters long; the limit is 63`;
  if (!SEGMENT_CHARS.test(name)) return 'is not a Kubernetes name (letters, digits, "-", "." and "_")';
  return undefined;
}

/** Why `value` is not a valid label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > kubernetesNameLimits.labelValue) return `is ${value.length} characters long; the limit is 63`;
  if (!LABEL_VALUE.test(value)) return 'is not a valid label value';
  return undefined;
}

/** The first of the pod's namespace, name and service account that Kubernetes would not have accepted. */
export function podNamesProblem(pod: Pod): string | undefined {
  const { namespace, name } = pod.metadata;
  const checks: readonly [string, string, (s: string) => string | undefined][] = [
    ['namespace', namespace, dnsLabelProblem],
    ['pod name', name, dnsSubdomainProblem],
    ['service account', podServiceAccount(pod), dnsSubdomainProblem],
  ];
  for (const [what, value, check] of checks) {
    const problem = check(value);
    if (problem) return `${what} ${quoteInput(value)} ${problem}`;
  }
  return undefined;
}

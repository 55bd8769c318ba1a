import { parseSpiffeId, parseTrustDomain } from '../entries/spiffe-id.js';
import { quoteInput } from '../text/quote-input.js';

// The rules every workload SPIFFE ID passes before the registrar asks SPIRE for it, in every mode
// (webhook review, reconcile pod entries, crd pod SpiffeIDs and user SpiffeIDs). A pod label or
// annotation is written by any user who can create a pod, so without these a pod could ask for:
//   - SPIRE's own IDs: /spire/server and /spire/agent/... (SPIRE refuses /spire/... for workloads,
//     docs/spire-entry-api.md 4.1; we say so instead of failing inside SPIRE);
//   - a node ID the registrar itself issues, `/<registrar>/<cluster>/node[/<node>]`: as a workload
//     entry that ID becomes a parent every pod entry of that node (or, for the cluster node path, of the
//     whole cluster) hangs below, i.e. one pod could attest as a node. Any cluster is reserved, since
//     clusters may share a trust domain;
//   - an ID of any length: SPIRE stores what it gets and every SVID carries it. 2,048 bytes is the
//     URI SAN length SPIRE's CA and most X.509 stacks accept (go-spiffe sets none, SPIRE's
//     validation caps entry IDs far lower); no real workload ID comes close.

export const maxSpiffeIdBytes = 2048;
/** The SPIFFE ID standard (section 2.1) limits a trust domain name to 255 characters. */
export const maxTrustDomainChars = 255;
/** The path segment every registrar mode puts its node IDs under (crd and webhook modes always). */
export const registrarPathSegment = 'k8s-workload-registrar';

/** `spiffe://<td>/k8s-workload-registrar/<cluster>/node`: the webhook's cluster node ID, and the root of crd mode's node IDs. */
export function registrarNodeRoot(trustDomain: string, cluster: string): string {
  return `spiffe://${trustDomain}/${registrarPathSegment}/${cluster}/node`;
}

export type WorkloadIdRules = {
  readonly trustDomain: string;
  /** Reconcile mode's `controller_name`, whose `/<name>/<cluster>/node...` IDs are node IDs too. */
  readonly controllerName?: string;
};

/** Why `path` (`/a/b`) is reserved for SPIRE or the registrar's node IDs, or undefined. */
export function reservedPathProblem(path: string, rules: WorkloadIdRules): string | undefined {
  const segments = path.split('/').slice(1);
  if (segments[0] === 'spire') return `the path ${quoteInput(path)} is reserved for SPIRE's server and agents`;
  const owners = [registrarPathSegment, rules.controllerName ?? registrarPathSegment];
  if (segments.length >= 3 && owners.includes(segments[0] as string) && segments[2] === 'node') {
    return `the path ${quoteInput(path)} is reserved for the registrar's node IDs`;
  }
  return undefined;
}

/** Why `id` may not be a workload's SPIFFE ID, or undefined when it may. */
export function workloadIdProblem(id: string, rules: WorkloadIdRules): string | undefined {
  const bytes = utf8Length(id);
  if (bytes > maxSpiffeIdBytes) return `the SPIFFE ID is ${bytes} bytes long; the limit is ${maxSpiffeIdBytes}`;
  const parsed = parseSpiffeId(id);
  if (!parsed.ok) return `${quoteInput(id)} is not a valid SPIFFE ID: ${parsed.error}`;
  if (parsed.value.trustDomain !== rules.trustDomain) {
    return `${quoteInput(id)} is not in the trust domain ${quoteInput(rules.trustDomain)}`;
  }
  if (parsed.value.path === '') return `${quoteInput(id)} has no path`;
  return reservedPathProblem(parsed.value.path, rules);
}

/** Why `name` may not be listed in a workload's federatesWith, or undefined. Returns the parsed name. */
export function federatedTrustDomain(
  name: string,
  ownTrustDomain: string,
): { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string } {
  if (name.length > maxTrustDomainChars) {
    return { ok: false, error: `${quoteInput(name)} is ${name.length} characters long; a trust domain has at most ${maxTrustDomainChars}` };
  }
  const td = parseTrustDomain(name);
  if (!td.ok) return { ok: false, error: `${quoteInput(name)} is not a trust domain: ${td.error}` };
  // A federated bundle is a foreign trust domain's: SPIRE has none for its own, so the whole entry would
  // fail with INTERNAL (docs/spire-entry-api.md 2.2), and federating with oneself means nothing.
  if (td.value === ownTrustDomain) return { ok: false, error: `${quoteInput(name)} is the registrar's own trust domain` };
  return td;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

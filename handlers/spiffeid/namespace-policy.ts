import { isUnder, parseSpiffeId, spireServerId } from '../entries/spiffe-id.js';
import { registrarNodeRoot, registrarPathSegment, reservedPathProblem } from '../identity/workload-id-rules.js';
import type { SpiffeId } from './spiffeid.js';
import { isOtherNamespacesIdentity, type IdentityShape } from './template-namespace.js';

// The namespace policy (`spiffeid_policy = "namespace"`, the default): a SpiffeID written by a cluster
// user may only ask for an identity that belongs to its own namespace. Namespaced SpiffeIDs let anyone
// with write access to one namespace declare entries for the whole trust domain; the original registrar
// only checked that the selectors name the SpiffeID's namespace, which still allowed another namespace's
// SPIFFE ID, a node's ID (SPIRE then hands that node's workloads to the attacker's agent), downstream
// (minting SVIDs for the whole trust domain), any parent ID and DNS names of other teams' services.
// It is one function, used by the SpiffeID webhook and by the controller (the webhook can be bypassed),
// and only for SpiffeIDs outside the registrar's own namespace that the registrar did not declare itself.

export type SpiffeIdPolicyMode = 'namespace' | 'open';

export type SpiffeIdPolicy = {
  readonly mode: SpiffeIdPolicyMode;
  /** `cluster`: node entries the registrar manages are `/k8s-workload-registrar/<cluster>/node/<name>`. */
  readonly cluster: string;
  /** `cluster_dns_zone`: `<svc>.<ns>.svc.<zone>` names are a namespace's own. */
  readonly clusterDnsZone: string;
  /** `spiffeid_allowed_dns_suffixes`: more DNS suffixes every namespace may use (e.g. a team's own domain). */
  readonly allowedDnsSuffixes: readonly string[];
  /**
   * crd mode's identity template (identity_template, or the default), when pod IDs come from one: an ID
   * it makes for another namespace's pods is refused like `ns/<other>/` (template-namespace.ts).
   */
  readonly identityTemplate?: IdentityShape;
};

export type PolicyRule = 'nodeOrAgentId' | 'namespacePath' | 'downstream' | 'parentId' | 'dnsName';

export type PolicyProblem = { readonly rule: `policy.${PolicyRule}`; readonly message: string };

/** The first of the policy's rules `s` breaks, or undefined. Assumes the base rules passed (IDs parse). */
export function namespacePolicyProblem(
  s: SpiffeId,
  cfg: { readonly trustDomain: string; readonly registrarNamespace: string; readonly policy: SpiffeIdPolicy },
): PolicyProblem | undefined {
  const { policy, trustDomain } = cfg;
  const ns = s.metadata.namespace;
  if (policy.mode === 'open' || ns === cfg.registrarNamespace) return undefined;
  const refuse = (rule: PolicyRule, why: string): PolicyProblem => ({
    rule: `policy.${rule}`,
    message: `refused by spiffeid_policy "namespace", rule ${rule}: ${why}`,
  });

  const segments = pathSegments(s.spec.spiffeId);
  if (isSpireOrRegistrarPath(segments, trustDomain)) {
    return refuse('nodeOrAgentId', `spec.spiffeId ${JSON.stringify(s.spec.spiffeId)} is a node or agent ID (under /${segments[0]}/), which only the registrar and SPIRE may issue`);
  }
  if (segments[0] === 'ns' && segments[1] !== ns) {
    return refuse('namespacePath', `spec.spiffeId ${JSON.stringify(s.spec.spiffeId)} starts with ns/ but not with ns/${ns}/, the namespace of this SpiffeID`);
  }
  const template = policy.identityTemplate;
  if (template && isOtherNamespacesIdentity(`/${segments.join('/')}`, template, ns)) {
    return refuse(
      'namespacePath',
      `spec.spiffeId ${JSON.stringify(s.spec.spiffeId)} is an ID identity_template ${JSON.stringify(template.source)} gives pods of another namespace, never of ${ns}, the namespace of this SpiffeID`,
    );
  }
  if (s.spec.downstream) {
    return refuse('downstream', 'spec.downstream is true; a downstream entry can mint SVIDs for the whole trust domain');
  }
  if (!allowedParent(s.spec.parentId, trustDomain, policy.cluster)) {
    return refuse(
      'parentId',
      `spec.parentId ${JSON.stringify(s.spec.parentId)} is neither the SPIRE server (${spireServerId(trustDomain)}) nor a node the registrar manages (${registrarNodeRoot(trustDomain, policy.cluster)}/<node>)`,
    );
  }
  for (const name of s.spec.dnsNames ?? []) {
    const why = dnsNameRefusal(name, ns, policy);
    if (why) return refuse('dnsName', `spec.dnsNames ${JSON.stringify(name)}: ${why}`);
  }
  return undefined;
}

function pathSegments(id: string): string[] {
  const parsed = parseSpiffeId(id);
  return parsed.ok ? parsed.value.path.split('/').slice(1) : [];
}

/**
 * The paths SPIRE and the registrar issue: reservedPathProblem's (/spire/..., registrar node IDs) and, for
 * a user's SpiffeID, anything else under /k8s-workload-registrar/ too: no namespace has a claim there.
 */
function isSpireOrRegistrarPath(segments: readonly string[], trustDomain: string): boolean {
  return segments[0] === registrarPathSegment || reservedPathProblem(`/${segments.join('/')}`, { trustDomain }) !== undefined;
}

/** The SPIRE server, or exactly one node ID of this cluster (`<node root>/<node>`, no deeper). */
function allowedParent(parentId: string, trustDomain: string, cluster: string): boolean {
  if (parentId === spireServerId(trustDomain)) return true;
  const root = registrarNodeRoot(trustDomain, cluster);
  return isUnder(parentId, root) && parentId !== root && !parentId.slice(root.length + 1).includes('/');
}

/** Why a namespace may not put `name` in its certificates, or undefined when it may. */
export function dnsNameRefusal(name: string, namespace: string, policy: SpiffeIdPolicy): string | undefined {
  if (name.includes('*')) return 'wildcards are not allowed';
  const lower = name.toLowerCase();
  if (!lower.includes('.')) return undefined;
  // The API server's own Service lives in namespace default; it is nobody's workload name.
  const apiServer = ['kubernetes.default.svc', `kubernetes.default.svc.${policy.clusterDnsZone}`];
  if (apiServer.includes(lower)) return 'it is the Kubernetes API server\'s name';
  const own = [`${namespace}.svc`, `${namespace}.svc.${policy.clusterDnsZone}`];
  const suffixes = [...own, ...policy.allowedDnsSuffixes.map((x) => x.replace(/^\./, ''))].map((x) => x.toLowerCase());
  if (suffixes.some((x) => x !== '' && lower.endsWith(`.${x}`))) return undefined;
  return `only single-label names, names ending in .${own[0]} or .${own[1]}${
    policy.allowedDnsSuffixes.length > 0 ? `, or in an allowed suffix (${policy.allowedDnsSuffixes.join(', ')})` : ''
  } are allowed`;
}

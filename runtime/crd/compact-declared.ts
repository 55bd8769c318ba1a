// What crd mode keeps of a declared SpiffeID for the life of its pod or node (the plan memo holds one per
// object, crd-plan-cache.ts). The controllers build every string afresh: each of 10,000 pods carries its
// own copy of its node's SPIFFE ID (500 distinct) and of its workload's SPIFFE ID (one per app), and four
// empty lists or maps of its own. Here the repeated strings go through an interner and the empties are the
// shared frozen ones (runtime/kube/shared-values.ts): equal values, so every plan is the same.
import type { DeclaredSpiffeId } from '../../handlers/spiffeid/declared-spiffeid.js';
import type { SpiffeIdSelector, SpiffeIdSpec } from '../../handlers/spiffeid/spiffeid.js';
import { EMPTY_LIST, EMPTY_MAP, internList, pickInterned, type Interner } from '../kube/shared-values.js';

type Outcome = { readonly kind: string; readonly spiffeId?: DeclaredSpiffeId };

/** `out` with its declared SpiffeID compacted; any other outcome as it is. */
export function compactOutcome<O extends Outcome>(intern: Interner, out: O): O {
  return out.kind === 'declare' && out.spiffeId ? { ...out, spiffeId: compactDeclared(intern, out.spiffeId) } : out;
}

export function compactDeclared(intern: Interner, d: DeclaredSpiffeId): DeclaredSpiffeId {
  return { ...d, spec: compactSpec(intern, d.spec) };
}

function compactSpec(intern: Interner, s: SpiffeIdSpec): SpiffeIdSpec {
  return {
    ...s,
    parentId: intern(s.parentId),
    spiffeId: intern(s.spiffeId),
    selector: compactSelector(intern, s.selector),
    // Rendered per pod (its own names): kept as they are, only an empty list shared.
    dnsNames: s.dnsNames && s.dnsNames.length > 0 ? s.dnsNames : EMPTY_LIST,
    federatesWith: internList(intern, s.federatesWith),
  };
}

function compactSelector(intern: Interner, sel: SpiffeIdSelector): SpiffeIdSelector {
  const labels = sel.podLabel ?? {};
  const keys = Object.keys(labels);
  return {
    ...sel,
    cluster: intern(sel.cluster),
    podLabel: keys.length === 0 ? EMPTY_MAP : pickInterned(intern, labels, keys),
    serviceAccount: intern(sel.serviceAccount),
    containerImage: intern(sel.containerImage),
    containerName: intern(sel.containerName),
    arbitrary: internList(intern, sel.arbitrary),
  };
}

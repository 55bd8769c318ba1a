// Which SPIRE entries a registrar may change. Anything it does not recognise as its own (entries made by
// an operator, another registrar, the agent's join token) is never updated or deleted.
import type { Entry } from './entry.js';
import { parseSpiffeId, type Parsed, type SpiffeId } from './spiffe-id.js';

type KeyFields = Pick<Entry, 'spiffeId' | 'parentId' | 'selectors'>;

export type Ownership = {
  /**
   * The Kubernetes object an owned entry stands for (`node/<name>`, `pod/<ns>/<name>`), or undefined when
   * the entry is not ours. Entries of one object may be rewritten in place (a changed label becomes an
   * update of the SPIFFE ID, not a delete and a create), and a single object can be reconciled alone.
   */
  readonly objectOf: (e: KeyFields) => string | undefined;
};

export function nodeObjectKey(node: string): string {
  return `node/${node}`;
}

export function podObjectKey(namespace: string, name: string): string {
  return `pod/${namespace}/${name}`;
}

/** Agents attested by join token are parented to `spiffe://<td>/spire/agent/join_token/<token>`. Ref: SPIRE
 * pkg/server/api/agent/v1 (idutil.JoinTokenID) and spire-controller-manager filterJoinTokenEntries. */
export function isJoinTokenEntry(e: Pick<Entry, 'parentId'>): boolean {
  return isJoinTokenParent(parseSpiffeId(e.parentId));
}

function isJoinTokenParent(parent: Parsed<SpiffeId>): boolean {
  return parent.ok && parent.value.path.startsWith('/spire/agent/join_token/');
}

/** isUnder (spiffe-id.ts) over IDs parsed once: objectOf runs for every entry of every full resync. */
function under(id: Parsed<SpiffeId>, root: Parsed<SpiffeId>): boolean {
  if (!id.ok || !root.ok || id.value.trustDomain !== root.value.trustDomain) return false;
  return id.value.path === root.value.path || id.value.path.startsWith(`${root.value.path}/`);
}

/**
 * Reconcile mode (and the original registrar's reconcile mode, so a swapped image adopts its entries):
 * node entries have a SPIFFE ID under `root` (`spiffe://<td>/<controller_name>/<cluster>/node`) and the
 * selectors `k8s_psat:agent_node_name:<node>` + `k8s_psat:cluster:<cluster>`; pod entries have a parent ID
 * under `root` and exactly the selectors `k8s:ns:<ns>` + `k8s:pod-name:<name>`. The original matched its
 * entries the same way (parent/SPIFFE ID prefix, then the selectors naming the object); an entry an
 * operator parents to a node entry with other selectors is therefore left alone.
 */
export function reconcileOwnership(root: string, cluster: string): Ownership {
  const rootId = parseSpiffeId(root);
  return {
    objectOf(e) {
      const parent = parseSpiffeId(e.parentId);
      if (isJoinTokenParent(parent)) return undefined;
      const values = selectorValues(e.selectors);
      if (values === undefined) return undefined;
      if (under(parseSpiffeId(e.spiffeId), rootId)) {
        const node = values.get('k8s_psat:agent_node_name');
        if (values.size === 2 && node !== undefined && values.get('k8s_psat:cluster') === cluster) {
          return nodeObjectKey(node);
        }
      }
      if (under(parent, rootId)) {
        const ns = values.get('k8s:ns');
        const name = values.get('k8s:pod-name');
        if (values.size === 2 && ns !== undefined && name !== undefined) return podObjectKey(ns, name);
      }
      return undefined;
    },
  };
}

/** `type:subtype` -> value, or undefined when a subtype repeats (such an entry names no single object). */
function selectorValues(selectors: KeyFields['selectors']): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const s of selectors) {
    const i = s.value.indexOf(':');
    if (i <= 0) return undefined;
    const key = `${s.type}:${s.value.slice(0, i)}`;
    const value = s.value.slice(i + 1);
    const seen = out.get(key);
    if (seen !== undefined && seen !== value) return undefined;
    out.set(key, value);
  }
  return out;
}

/**
 * Webhook mode (and the original registrar's webhook mode): pod entries are parented to exactly the
 * cluster node entry (`parentId`) and carry exactly the selectors `k8s:ns:<ns>` + `k8s:pod-name:<name>`.
 * Anything else under the cluster node entry (an operator's entry with other selectors) is not ours.
 */
export function webhookOwnership(parentId: string): Ownership {
  return {
    objectOf(e) {
      if (e.parentId !== parentId) return undefined;
      const values = selectorValues(e.selectors);
      const ns = values?.get('k8s:ns');
      const name = values?.get('k8s:pod-name');
      return values?.size === 2 && ns !== undefined && name !== undefined ? podObjectKey(ns, name) : undefined;
    },
  };
}

// Which SPIRE entries a registrar may change. Anything it does not recognise as its own (entries made by
// an operator, another registrar, the agent's join token) is never updated or deleted.
import type { Entry } from './entry.js';
import { isUnder, parseSpiffeId } from './spiffe-id.js';

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
  const parent = parseSpiffeId(e.parentId);
  return parent.ok && parent.value.path.startsWith('/spire/agent/join_token/');
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
  return {
    objectOf(e) {
      if (isJoinTokenEntry(e)) return undefined;
      const values = selectorValues(e.selectors);
      if (values === undefined) return undefined;
      if (isUnder(e.spiffeId, root)) {
        const node = values.get('k8s_psat:agent_node_name');
        if (values.size === 2 && node !== undefined && values.get('k8s_psat:cluster') === cluster) {
          return nodeObjectKey(node);
        }
      }
      if (isUnder(e.parentId, root)) {
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

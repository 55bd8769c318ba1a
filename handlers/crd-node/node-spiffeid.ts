import { makeSpiffeId, spireServerId } from '../entries/spiffe-id.js';
import { registrarPathSegment } from '../identity/workload-id-rules.js';
import type { Node } from '../k8s/node.js';
import { declaredSpec, type DeclaredSpiffeId } from '../spiffeid/declared-spiffeid.js';

// Crd mode's node controller: one SpiffeID per Node, in the registrar's own namespace, named after the
// node, that maps the agent on that node (k8s_psat cluster + agent_node_uid) to a stable per-node ID
// the pod SpiffeIDs use as their parent. Ref: spiffe/spire history, mode-crd/controllers/node_controller.go.

export type NodeSpiffeIdConfig = {
  readonly trustDomain: string;
  readonly cluster: string;
  readonly registrarNamespace: string;
};

export type NodeOutcome =
  | { readonly kind: 'declare'; readonly spiffeId: DeclaredSpiffeId }
  | { readonly kind: 'invalid'; readonly reason: string };

/** spiffe://<td>/k8s-workload-registrar/<cluster>/node/<node>: parent of every pod SpiffeID on that node. */
export function nodeSpiffeIdOf(trustDomain: string, cluster: string, nodeName: string) {
  return makeSpiffeId(trustDomain, registrarPathSegment, cluster, 'node', nodeName);
}

export function nodeSpiffeId(node: Node, cfg: NodeSpiffeIdConfig): NodeOutcome {
  const { name, uid } = node.metadata;
  const id = nodeSpiffeIdOf(cfg.trustDomain, cfg.cluster, name);
  if (!id.ok) return { kind: 'invalid', reason: `node SPIFFE ID is not valid: ${id.error}` };
  return {
    kind: 'declare',
    spiffeId: {
      namespace: cfg.registrarNamespace,
      name,
      labels: { nodeUid: uid },
      // blockOwnerDeletion false: deleting a Node must not wait for (or need permission on) its SpiffeID.
      owner: { apiVersion: 'v1', kind: 'Node', name, uid, controller: true, blockOwnerDeletion: false },
      spec: declaredSpec({
        parentId: spireServerId(cfg.trustDomain),
        spiffeId: id.value,
        selector: { cluster: cfg.cluster, agent_node_uid: uid },
      }),
    },
  };
}

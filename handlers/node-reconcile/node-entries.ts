// Reconcile mode, node controller: one entry per Node, parented to the SPIRE server, so that the agent on
// that node (attested by k8s_psat) becomes the parent of the node's pod entries. Its federates_with comes
// from the node's `spiffe.io/federatesWith` annotation, as the original read it on every object it made
// an entry for.
import { federatesWithOf } from '../admission-validate/federates-with.js';
import { type DeclaredEntry } from '../entries/diff-entries.js';
import { newEntry } from '../entries/entry.js';
import { nodeObjectKey } from '../entries/ownership.js';
import { selector } from '../entries/selectors.js';
import { makeSpiffeId, spireServerId } from '../entries/spiffe-id.js';
import type { Node } from '../k8s/node.js';

export type NodeEntriesConfig = {
  readonly trustDomain: string;
  readonly controllerName: string;
  readonly cluster: string;
};

/** Something a handler could not turn into an entry; the shell logs it and the pass goes on. */
export type RenderIssue = { readonly object: string; readonly reason: string };

export type Rendered = { readonly declared: DeclaredEntry[]; readonly issues: RenderIssue[] };

/** `spiffe://<td>/<controller_name>/<cluster>/node`: every entry this mode owns lies under it. */
export function nodeRootId(cfg: NodeEntriesConfig): string {
  return `spiffe://${cfg.trustDomain}/${cfg.controllerName}/${cfg.cluster}/node`;
}

/** The node entry's SPIFFE ID, which is also the parent ID of the pods scheduled on the node. */
export function nodeSpiffeId(cfg: NodeEntriesConfig, node: string) {
  return makeSpiffeId(cfg.trustDomain, cfg.controllerName, cfg.cluster, 'node', node);
}

export function nodeEntries(nodes: readonly Node[], cfg: NodeEntriesConfig): Rendered {
  const declared: DeclaredEntry[] = [];
  const issues: RenderIssue[] = [];
  for (const node of nodes) {
    const name = node.metadata.name;
    const source = nodeObjectKey(name);
    const id = nodeSpiffeId(cfg, name);
    if (!id.ok) {
      issues.push({ object: source, reason: `node SPIFFE ID is not valid: ${id.error}` });
      continue;
    }
    const federation = federatesWithOf(node, cfg.trustDomain);
    if (!federation.ok) {
      issues.push({ object: source, reason: federation.error });
      continue;
    }
    declared.push({
      source,
      entry: newEntry({
        spiffeId: id.value,
        parentId: spireServerId(cfg.trustDomain),
        selectors: [selector('k8s_psat', `agent_node_name:${name}`), selector('k8s_psat', `cluster:${cfg.cluster}`)],
        federatesWith: federation.trustDomains,
      }),
    });
  }
  return { declared, issues };
}

import { newEntry, type Entry } from '../entries/entry.js';
import { selector } from '../entries/selectors.js';
import { spireServerId } from '../entries/spiffe-id.js';
import { registrarNodeRoot } from '../identity/workload-id-rules.js';

// Webhook mode parents every pod entry to one entry per cluster, whose selector matches any agent that
// attested with k8s_psat in that cluster (the original registrar's controller.go, Initialize/nodeID).
// Every node of the cluster can therefore obtain every workload's SVID: the mode's known drawback.

export type ClusterNodeConfig = { readonly trustDomain: string; readonly cluster: string };

/** `spiffe://<td>/k8s-workload-registrar/<cluster>/node` */
export function clusterNodeId(cfg: ClusterNodeConfig): string {
  return registrarNodeRoot(cfg.trustDomain, cfg.cluster);
}

export function clusterNodeEntry(cfg: ClusterNodeConfig): Entry {
  return newEntry({
    spiffeId: clusterNodeId(cfg),
    parentId: spireServerId(cfg.trustDomain),
    selectors: [selector('k8s_psat', `cluster:${cfg.cluster}`)],
  });
}

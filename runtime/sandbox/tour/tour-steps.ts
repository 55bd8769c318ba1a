// The tutorial's steps for each mode: what a reader runs in a cluster, the same command against the
// sandbox, how the tour performs it, and which entries must exist once it has taken effect.
import type { Mode } from '../../config/registrar-config.js';
import type { ExpectedEntry } from './entry-check.js';
import type { TourContext } from './tour-context.js';

export type TourStep = {
  readonly id: string;
  readonly title: string;
  /** What the tutorial runs against a cluster. */
  readonly inCluster: string;
  /** The same against the sandbox (its default directory, .sandbox). */
  readonly sandbox: string;
  run(t: TourContext): Promise<string>;
  /** Entries that must exist, exactly, before this step's output is taken. */
  readonly expect?: (t: TourContext) => ExpectedEntry[];
};

const KUBECTL = 'kubectl --kubeconfig .sandbox/kubeconfig';
const SERVER = 'spiffe://example.org/spire/server';

const entryShow = (id: string, title: string, expect: (t: TourContext) => ExpectedEntry[]): TourStep => ({
  id,
  title,
  inCluster: 'kubectl exec -n spire spire-server-0 -c spire-server -- /opt/spire/bin/spire-server entry show',
  sandbox: 'k8s-workload-registrar entry show -socketPath .sandbox/api.sock',
  run: (t) => t.entryShow(),
  expect,
});

const grepLog = (id: string, phrase: string): TourStep => ({
  id,
  title: `Registrar log lines with "${phrase}"`,
  inCluster: `kubectl logs -n spire spire-server-0 -c k8s-workload-registrar | grep "${phrase}"`,
  sandbox: `grep "${phrase}" .sandbox/registrar.log`,
  run: (t) => t.grepLog(phrase),
});

const applyFiles = (id: string, title: string, inCluster: string, files: readonly string[]): TourStep => ({
  id,
  title,
  inCluster,
  sandbox: `${KUBECTL} apply ${files.map((f) => `-f ${f}`).join(' ')}`,
  run: (t) => t.apply(files),
});

const deleteWorkload: TourStep = {
  id: 'delete-workload',
  title: 'Delete the workload',
  inCluster: 'kubectl delete deployment -n spire example-workload',
  sandbox: `${KUBECTL} delete deployment -n spire example-workload`,
  run: (t) => t.deleteObject('apps/v1', 'Deployment', 'spire', 'example-workload'),
};

const getPods: TourStep = {
  id: 'get-pods',
  title: 'Pods in the spire namespace',
  inCluster: 'kubectl get pods -n spire',
  sandbox: `${KUBECTL} get pods -n spire`,
  run: (t) => t.get('v1', 'Pod', 'spire'),
};

const podSelectors = (t: TourContext, app: string) => ['k8s:ns:spire', `k8s:pod-name:${t.pod(app).name}`];

// Webhook mode: one node entry for the whole cluster; pods by service account.
const WEBHOOK_NODE = 'spiffe://example.org/k8s-workload-registrar/k8stest/node';
const webhookNode: ExpectedEntry = { spiffeId: WEBHOOK_NODE, parentId: SERVER, selectors: ['k8s_psat:cluster:k8stest'] };
const webhookAgent = (t: TourContext): ExpectedEntry => ({ spiffeId: 'spiffe://example.org/ns/spire/sa/spire-agent', parentId: WEBHOOK_NODE, selectors: podSelectors(t, 'spire-agent') });
const webhookWorkload = (t: TourContext): ExpectedEntry => ({ spiffeId: 'spiffe://example.org/ns/spire/sa/default', parentId: WEBHOOK_NODE, selectors: podSelectors(t, 'example-workload') });

// Reconcile mode: a node entry per node; pods by the spire-workload label, parented to their node.
const RECONCILE_NODE = 'spiffe://example.org/spire-k8s-registrar/k8stest/node/minikube';
const reconcileNode: ExpectedEntry = { spiffeId: RECONCILE_NODE, parentId: SERVER, selectors: ['k8s_psat:agent_node_name:minikube', 'k8s_psat:cluster:k8stest'] };
const reconcilePod = (t: TourContext, app: string, label: string): ExpectedEntry => ({ spiffeId: `spiffe://example.org/${label}`, parentId: RECONCILE_NODE, selectors: podSelectors(t, app) });

// Crd mode: node entries select the node's UID; pods (by annotation) their pod UID.
const CRD_NODE = 'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube';
const crdNode = (t: TourContext): ExpectedEntry => ({ spiffeId: CRD_NODE, parentId: SERVER, selectors: [`k8s_psat:agent_node_uid:${t.nodeUid()}`, 'k8s_psat:cluster:k8stest'] });
const crdPod = (t: TourContext, app: string, annotation: string): ExpectedEntry => ({
  spiffeId: `spiffe://example.org/${annotation}`,
  parentId: CRD_NODE,
  selectors: ['k8s:node-name:minikube', 'k8s:ns:spire', `k8s:pod-uid:${t.pod(app).uid}`],
});
const testSpiffeId: ExpectedEntry = { spiffeId: 'spiffe://example.org/test', parentId: SERVER, selectors: ['k8s:ns:default', 'k8s:pod-name:my-test-pod'] };

export const TOUR_STEPS: Readonly<Record<Mode, readonly TourStep[]>> = {
  webhook: [
    applyFiles('deploy', 'Deploy the agent and the workload', './deploy/webhook/gen-certs && kubectl apply -k deploy/webhook', [
      'deploy/webhook/namespace.yaml',
      'deploy/webhook/k8s-workload-registrar-configmap.yaml',
      'deploy/webhook/spire-agent.yaml',
      'deploy/webhook/workload.yaml',
    ]),
    entryShow('entries-deployed', 'Registration entries', (t) => [webhookNode, webhookAgent(t), webhookWorkload(t)]),
    grepLog('log-created', 'Created pod entry'),
    deleteWorkload,
    entryShow('entries-after-delete', 'Registration entries after the deletion', (t) => [webhookNode, webhookAgent(t)]),
    grepLog('log-deleted', 'Deleted pod entry'),
  ],
  reconcile: [
    applyFiles('deploy', 'Deploy the agent and the workload', 'kubectl apply -k deploy/reconcile', [
      'deploy/reconcile/namespace.yaml',
      'deploy/reconcile/registrar-config.yaml',
      'deploy/reconcile/registrar-rbac.yaml',
      'deploy/reconcile/spire-agent.yaml',
      'deploy/reconcile/workload.yaml',
    ]),
    entryShow('entries-deployed', 'Registration entries', (t) => [reconcileNode, reconcilePod(t, 'spire-agent', 'agent'), reconcilePod(t, 'example-workload', 'example-workload')]),
    grepLog('log-created', 'Created new spire entry'),
    deleteWorkload,
    entryShow('entries-after-delete', 'Registration entries after the deletion', (t) => [reconcileNode, reconcilePod(t, 'spire-agent', 'agent')]),
    grepLog('log-deleted', 'Deleted entry'),
    applyFiles('deploy-unlabeled', 'Deploy a workload without the label', 'kubectl apply -f deploy/reconcile/not-labeled-workload.yaml', ['deploy/reconcile/not-labeled-workload.yaml']),
    getPods,
    entryShow('entries-unlabeled', 'Registration entries: unchanged', (t) => [reconcileNode, reconcilePod(t, 'spire-agent', 'agent')]),
    {
      id: 'plan',
      title: 'What a registrar with this configuration would change now',
      inCluster: 'kubectl exec -n spire spire-server-0 -c k8s-workload-registrar -- k8s-workload-registrar plan -config /run/spire/k8s-workload-registrar/conf/k8s-workload-registrar.conf',
      sandbox: 'k8s-workload-registrar plan -config .sandbox/registrar.conf -kubeconfig .sandbox/kubeconfig',
      run: (t) => t.plan(),
      expect: (t) => [reconcileNode, reconcilePod(t, 'spire-agent', 'agent')],
    },
  ],
  crd: [
    applyFiles('deploy', 'Deploy the SpiffeID CRD, the agent and the workload', 'kubectl apply -k deploy/crd', [
      'deploy/crd/base/namespace.yaml',
      'deploy/crd/base/spiffeid.spiffe.io_spiffeids.yaml',
      'deploy/crd/base/registrar-config.yaml',
      'deploy/crd/base/registrar-rbac.yaml',
      'deploy/crd/base/spire-agent.yaml',
      'deploy/crd/base/workload.yaml',
    ]),
    entryShow('entries-deployed', 'Registration entries', (t) => [crdNode(t), crdPod(t, 'spire-agent', 'agent'), crdPod(t, 'example-workload', 'example-workload')]),
    grepLog('log-created', 'Created new spire entry'),
    deleteWorkload,
    entryShow('entries-after-delete', 'Registration entries after the deletion', (t) => [crdNode(t), crdPod(t, 'spire-agent', 'agent')]),
    applyFiles('deploy-unannotated', 'Deploy a workload without the annotation', 'kubectl apply -f deploy/crd/not-annotated-workload.yaml', ['deploy/crd/not-annotated-workload.yaml']),
    getPods,
    entryShow('entries-unannotated', 'Registration entries: unchanged', (t) => [crdNode(t), crdPod(t, 'spire-agent', 'agent')]),
    {
      id: 'spiffeids',
      title: 'SpiffeID resources',
      inCluster: 'kubectl get spiffeids -n spire',
      sandbox: `${KUBECTL} get spiffeids -n spire`,
      run: (t) => t.getSpiffeIds('spire'),
    },
    applyFiles('create-spiffeid', 'Create the test SpiffeID', 'kubectl apply -f deploy/crd/test-spiffeid.yaml', ['deploy/crd/test-spiffeid.yaml']),
    {
      id: 'spiffeids-created',
      title: 'SpiffeID resources in every namespace',
      inCluster: 'kubectl get spiffeids --all-namespaces',
      sandbox: `${KUBECTL} get spiffeids --all-namespaces`,
      run: (t) => t.getSpiffeIds('all'),
      expect: (t) => [crdNode(t), crdPod(t, 'spire-agent', 'agent'), testSpiffeId],
    },
    entryShow('entries-spiffeid', 'Registration entries with the test SpiffeID', (t) => [crdNode(t), crdPod(t, 'spire-agent', 'agent'), testSpiffeId]),
    {
      id: 'describe-spiffeid',
      title: 'The test SpiffeID and its events',
      inCluster: 'kubectl describe spiffeid -n default my-test-spiffeid',
      sandbox: `${KUBECTL} describe spiffeid -n default my-test-spiffeid`,
      run: (t) => t.describe('spiffeid.spiffe.io/v1beta1', 'SpiffeID', 'default', 'my-test-spiffeid'),
    },
    {
      id: 'delete-spiffeid',
      title: 'Delete the test SpiffeID',
      inCluster: 'kubectl delete -f deploy/crd/test-spiffeid.yaml',
      sandbox: `${KUBECTL} delete -f deploy/crd/test-spiffeid.yaml`,
      run: (t) => t.deleteFile('deploy/crd/test-spiffeid.yaml'),
    },
    entryShow('entries-spiffeid-deleted', 'Registration entries after deleting the SpiffeID', (t) => [crdNode(t), crdPod(t, 'spire-agent', 'agent')]),
    {
      id: 'spiffeids-deleted',
      title: 'SpiffeID resources after the deletion',
      inCluster: 'kubectl get spiffeids --all-namespaces',
      sandbox: `${KUBECTL} get spiffeids --all-namespaces`,
      run: (t) => t.getSpiffeIds('all'),
    },
    {
      id: 'get-events',
      title: 'Events in the default namespace',
      inCluster: 'kubectl get events -n default',
      sandbox: `${KUBECTL} get events -n default`,
      run: (t) => t.getEvents('default', 2),
    },
  ],
};

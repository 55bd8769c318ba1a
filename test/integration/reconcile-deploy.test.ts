// deploy/reconcile/ is the tutorial's scenario: the registrar ConfigMap exactly as the seed shows it (and
// accepted by the real config parser), least-privilege RBAC, labelled agent and workload, and a
// non-labelled workload kept out of the kustomization (the tutorial deploys it as a separate step).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../runtime/config/parse-config.js';

type Doc = { kind?: string; metadata?: { name?: string; namespace?: string }; [k: string]: unknown };
const dir = new URL('../../deploy/reconcile/', import.meta.url);
const docs = async (file: string): Promise<Doc[]> =>
  parseAllDocuments(await readFile(new URL(file, dir), 'utf8')).map((d) => d.toJS() as Doc).filter((d) => d !== null);
const find = (list: Doc[], kind: string, name: string) => list.find((d) => d.kind === kind && d.metadata?.name === name);

test('the registrar ConfigMap is the seed tutorial\'s, and the config parser reads it as reconcile mode', async () => {
  const [cm] = await docs('registrar-config.yaml');
  const conf = (cm?.data as Record<string, string>)['k8s-workload-registrar.conf'] ?? '';
  assert.equal(
    conf,
    [
      'mode = "reconcile"',
      'trust_domain = "example.org"',
      'cluster = "k8stest"',
      'server_socket_path = "/tmp/spire-server/private/api.sock"',
      'metrics_addr = "0"',
      'pod_label = "spire-workload"',
      '',
    ].join('\n'),
  );
  const { config } = await parseConfig(conf, 'k8s-workload-registrar.conf');
  assert.equal(config.mode, 'reconcile');
  assert.equal(config.podLabel, 'spire-workload');
  assert.equal(config.serverAddress, 'unix:///tmp/spire-server/private/api.sock');
  if (config.mode === 'reconcile') {
    assert.equal(config.metricsAddr, '0');
    assert.equal(config.controllerName, 'spire-k8s-registrar');
  }
});

test('RBAC: nodes, pods, endpointslices read-only; events.k8s.io events create/patch; leases only in the registrar namespace', async () => {
  const rbac = await docs('registrar-rbac.yaml');
  assert.deepEqual((find(rbac, 'ClusterRole', 'k8s-workload-registrar') as { rules: unknown }).rules, [
    { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  ]);
  const role = find(rbac, 'Role', 'k8s-workload-registrar') as Doc & { rules: unknown };
  assert.equal(role.metadata?.namespace, 'spire');
  assert.deepEqual(role.rules, [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  ]);
  const server = await docs('spire-server.yaml');
  const sts = find(server, 'StatefulSet', 'spire-server') as { spec: { template: { spec: { serviceAccountName: string; containers: { name: string }[] } } } };
  assert.equal(sts.spec.template.spec.serviceAccountName, 'spire-server');
  assert.deepEqual(sts.spec.template.spec.containers.map((c) => c.name), ['spire-server', 'k8s-workload-registrar']);
  for (const binding of rbac.filter((d) => d.kind?.endsWith('Binding'))) {
    assert.deepEqual((binding as { subjects: unknown }).subjects, [{ kind: 'ServiceAccount', name: 'spire-server', namespace: 'spire' }]);
  }
});

test('the agent and the workload carry the spire-workload label; the non-labelled workload does not and is deployed separately', async () => {
  const labelsOf = (d: Doc | undefined) => (d as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
  assert.equal(labelsOf(find(await docs('spire-agent.yaml'), 'DaemonSet', 'spire-agent'))['spire-workload'], 'agent');
  assert.equal(labelsOf(find(await docs('workload.yaml'), 'Deployment', 'example-workload'))['spire-workload'], 'example-workload');
  assert.equal(labelsOf(find(await docs('not-labeled-workload.yaml'), 'Deployment', 'not-labeled-workload'))['spire-workload'], undefined);
  const [kustomization] = await docs('kustomization.yaml');
  const resources = (kustomization as { resources: string[] }).resources;
  assert.ok(!resources.includes('not-labeled-workload.yaml'));
  for (const r of resources) assert.ok((await docs(r)).length > 0, r);
});

test('crd RBAC: events are events.k8s.io create/patch only, like every other mode that records them', async () => {
  const crd = parseAllDocuments(await readFile(new URL('../crd/base/registrar-rbac.yaml', dir), 'utf8')).map((d) => d.toJS() as Doc);
  const rules = (find(crd, 'ClusterRole', 'k8s-workload-registrar') as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules;
  assert.deepEqual(rules.filter((r) => r.resources.includes('events')), [{ apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] }]);
});

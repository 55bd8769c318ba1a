import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../adapters/kube-fake/index.js';
import { createIdSource } from '../seeded-ids.js';
import type { ClusterAction, ClusterSnapshot } from './cluster-objects.js';
import { planDaemonSets, planDeployments, planReplicaSets, planStatefulSets } from './plan-workloads.js';

const template = { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
const obj = (apiVersion: string, kind: string, name: string, extra: Partial<KubeObject> = {}, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion, kind, metadata: { name, namespace: 'spire', uid: `uid-${name}`, creationTimestamp: '2026-01-01T00:00:00Z', ...meta }, ...extra,
});
const snap = (s: Partial<ClusterSnapshot>): ClusterSnapshot => ({ nodes: [], pods: [], deployments: [], replicaSets: [], daemonSets: [], statefulSets: [], ...s });
const creates = (actions: ClusterAction[]) => actions.flatMap((a) => (a.op === 'create' ? [a.obj] : []));
const deletes = (actions: ClusterAction[]) => actions.flatMap((a) => (a.op === 'delete' ? [a.ref.name] : []));
const ownedBy = (owner: KubeObject) => ({ ownerReferences: [{ apiVersion: owner.apiVersion ?? '', kind: owner.kind ?? '', name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true }] });

test('a Deployment gets one ReplicaSet named by its template hash, owned by it, with the hash label', () => {
  const d = obj('apps/v1', 'Deployment', 'web', { spec: { selector: { matchLabels: { app: 'w' } }, template } });
  const [rs] = creates(planDeployments(snap({ deployments: [d] })));
  assert.match(rs?.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  const hash = rs?.metadata.labels?.['pod-template-hash'];
  assert.equal(rs?.metadata.name, `web-${hash}`);
  assert.equal(rs?.metadata.ownerReferences?.[0]?.uid, 'uid-web');
  assert.deepEqual((rs?.['spec'] as { selector: unknown }).selector, { matchLabels: { app: 'w', 'pod-template-hash': hash } });
});

test('a changed template replaces the old ReplicaSet', () => {
  const d = obj('apps/v1', 'Deployment', 'web', { spec: { template } });
  const old = obj('apps/v1', 'ReplicaSet', 'web-old', { spec: { replicas: 1, template } }, ownedBy(d));
  const actions = planDeployments(snap({ deployments: [d], replicaSets: [old] }));
  assert.deepEqual(deletes(actions), ['web-old']);
  assert.equal(creates(actions).length, 1);
});

test('a ReplicaSet creates the missing pods with generated names and removes extras', () => {
  const rs = obj('apps/v1', 'ReplicaSet', 'web-abc', { spec: { replicas: 2, template } });
  const pods = creates(planReplicaSets(snap({ replicaSets: [rs] }), createIdSource(1)));
  assert.equal(pods.length, 2);
  for (const p of pods) {
    assert.match(p.metadata.name ?? '', /^web-abc-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(p.metadata.labels, { app: 'w' });
    assert.equal(p.metadata.ownerReferences?.[0]?.controller, true);
  }
  const one = { ...rs, spec: { replicas: 1, template } };
  const running = [obj('v1', 'Pod', 'web-abc-aaaaa', {}, ownedBy(rs)), obj('v1', 'Pod', 'web-abc-bbbbb', {}, { ...ownedBy(rs), creationTimestamp: '2026-01-02T00:00:00Z' })];
  assert.deepEqual(deletes(planReplicaSets(snap({ replicaSets: [one], pods: running }), createIdSource(1))), ['web-abc-bbbbb']);
});

test('a DaemonSet puts one pod on each node, bound to it', () => {
  const ds = obj('apps/v1', 'DaemonSet', 'agent', { spec: { template } });
  const nodes = [obj('v1', 'Node', 'n2', {}, { namespace: undefined }), obj('v1', 'Node', 'n1', {}, { namespace: undefined })];
  const pods = creates(planDaemonSets(snap({ daemonSets: [ds], nodes }), createIdSource(1)));
  assert.deepEqual(pods.map((p) => (p['spec'] as { nodeName: string }).nodeName), ['n1', 'n2']);
});

test('a StatefulSet creates <name>-0 first, then <name>-1', () => {
  const sts = obj('apps/v1', 'StatefulSet', 'db', { spec: { replicas: 2, template } });
  assert.deepEqual(creates(planStatefulSets(snap({ statefulSets: [sts] }))).map((p) => p.metadata.name), ['db-0']);
  const first = obj('v1', 'Pod', 'db-0', {}, ownedBy(sts));
  assert.deepEqual(creates(planStatefulSets(snap({ statefulSets: [sts], pods: [first] }))).map((p) => p.metadata.name), ['db-1']);
});

test('status is patched only when it changes', () => {
  const rs = obj('apps/v1', 'ReplicaSet', 'web-abc', { spec: { replicas: 0, template }, status: { replicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 } }, { generation: 1 });
  assert.deepEqual(planReplicaSets(snap({ replicaSets: [rs] }), createIdSource(1)), []);
});

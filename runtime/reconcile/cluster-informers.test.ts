import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodEntriesConfig } from '../../handlers/pod-reconcile/pod-entries.js';
import { podEntries } from '../../handlers/pod-reconcile/pod-entries.js';
import { nodeEntries } from '../../handlers/node-reconcile/node-entries.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { projectNode, projectPod } from './cluster-informers.js';

const cfg: PodEntriesConfig = {
  trustDomain: 'example.org',
  controllerName: 'spire-k8s-registrar',
  cluster: 'k8stest',
  podLabel: 'spire-workload',
  disabledNamespaces: [],
  addPodDnsNames: false,
  clusterDnsZone: 'cluster.local',
};

test('the pod projection keeps only the configured label, so other label changes cause no event', () => {
  const a = projectPod(aPod({ labels: { 'spire-workload': 'w', app: 'x' }, phase: 'Pending' }), cfg);
  const b = projectPod(aPod({ labels: { 'spire-workload': 'w', app: 'y' }, phase: 'Running' }), cfg);
  assert.deepEqual(a, b);
  assert.deepEqual(a.metadata.labels, { 'spire-workload': 'w' });
});

test('the pod IP is kept only when DNS names need it', () => {
  assert.equal(projectPod(aPod({ podIP: '10.0.0.1' }), cfg).status.podIP, '');
  assert.equal(projectPod(aPod({ podIP: '10.0.0.1' }), { ...cfg, addPodDnsNames: true }).status.podIP, '10.0.0.1');
});

test('a projected pod renders the same entries as the full object', () => {
  for (const pod of [
    aPod({ labels: { 'spire-workload': 'w' } }),
    aPod({ labels: { 'spire-workload': 'w' }, deletionTimestamp: '2026-01-01T00:00:00Z' }),
    aPod({ labels: { 'spire-workload': 'w' }, nodeName: '' }),
    aPod({ annotations: { 'spiffe.io/id': 'a/b' } }),
    aPod({ labels: { 'spire-workload': 'w' }, annotations: { 'spiffe.io/federatesWith': 'a.test', other: 'x' } }),
  ]) {
    for (const c of [cfg, { ...cfg, podLabel: undefined, podAnnotation: 'spiffe.io/id' }, { ...cfg, podLabel: undefined }]) {
      assert.deepEqual(podEntries([projectPod(pod, c)], [], c), podEntries([pod], [], c));
    }
  }
});

test('the node projection keeps only name, UID and the federatesWith annotation, and renders the same entry', () => {
  const node = aNode({ name: 'n1', annotations: { 'spiffe.io/federatesWith': 'a.test', 'node.alpha.kubernetes.io/ttl': '0' } });
  assert.deepEqual(projectNode(node).metadata.annotations, { 'spiffe.io/federatesWith': 'a.test' });
  assert.deepEqual(projectNode(aNode({ name: 'n1', annotations: { x: 'y' } })), projectNode(aNode({ name: 'n1' })));
  assert.deepEqual(nodeEntries([projectNode(node)], cfg), nodeEntries([node], cfg));
});

test('projections pass their repeated strings through the interner and share frozen empties instead of holding their own copies', () => {
  const fresh = (s: string) => [...s].join(''); // an equal string that is a different object, as JSON.parse makes
  const podOn = (name: string) => aPod({ name, namespace: fresh('team-a'), nodeName: fresh('node-1'), labels: { 'spire-workload': fresh('w') } });
  // String identity cannot be observed in JavaScript, so what the projection hands the interner is checked.
  const interned: string[] = [];
  const intern = (s: string) => (interned.push(s), s);
  projectPod(podOn('a'), cfg, intern);
  for (const v of ['team-a', 'node-1', 'w']) assert.ok(interned.includes(v), `${v} goes through the interner`);
  const [a, b] = [projectPod(podOn('a'), cfg), projectPod(podOn('b'), cfg)];
  assert.equal(a.metadata.namespace, 'team-a');
  assert.equal(a.spec.nodeName, 'node-1');
  assert.deepEqual(a.metadata.labels, { 'spire-workload': 'w' });
  assert.equal(a.metadata.finalizers, b.metadata.finalizers);
  assert.equal(a.status, b.status);
  assert.equal(a.spec.containers, b.spec.containers);
  assert.ok(Object.isFrozen(a.metadata.annotations) && Object.isFrozen(a.status) && Object.isFrozen(a.spec.containers));
  assert.throws(() => (a.metadata.ownerReferences as unknown[]).push({}), TypeError);
  const withIp = projectPod(aPod({ podIP: '10.0.0.2' }), { ...cfg, addPodDnsNames: true });
  assert.equal(withIp.status.podIP, '10.0.0.2');
  assert.equal(Object.isFrozen(withIp.status), false);
  const node = projectNode(aNode({ name: fresh('node-1') }));
  assert.deepEqual(node.metadata.annotations, {});
  assert.deepEqual(node.metadata.labels, {});
});

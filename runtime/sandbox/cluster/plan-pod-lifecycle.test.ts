import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../adapters/kube-fake/index.js';
import type { ClusterSnapshot } from './cluster-objects.js';
import { planKubelet, planScheduling } from './plan-pod-lifecycle.js';
import { sandboxNode } from './sandbox-node.js';

const node = sandboxNode('node-uid', '2026-01-01T00:00:00Z');
const pod = (name: string, spec: Record<string, unknown> = {}, status: Record<string, unknown> = { phase: 'Pending' }): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'spire' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec }, status,
});
const snap = (pods: KubeObject[], nodes = [node]): ClusterSnapshot => ({ nodes, pods, deployments: [], replicaSets: [], daemonSets: [], statefulSets: [] });
const patchOf = (a: unknown) => (a as { patch: { status?: Record<string, unknown>; spec?: Record<string, unknown> } }).patch;

test('the scheduler binds unbound pods to the ready node and leaves bound ones alone', () => {
  const actions = planScheduling(snap([pod('a'), pod('b', { nodeName: 'minikube' })]));
  assert.deepEqual(actions.map((a) => [a.op === 'patch' && a.ref.name, patchOf(a).spec]), [['a', { nodeName: 'minikube' }]]);
  assert.deepEqual(planScheduling(snap([pod('a')], [])), [], 'no node, no binding');
});

test('the kubelet starts bound pods: Running, Ready, the lowest free pod IP, or the node IP with hostNetwork', () => {
  const taken = pod('old', { nodeName: 'minikube' }, { phase: 'Running', podIP: '10.244.0.2' });
  const actions = planKubelet(snap([taken, pod('a', { nodeName: 'minikube' }), pod('h', { nodeName: 'minikube', hostNetwork: true }), pod('unbound')]), '2026-01-01T00:00:01Z');
  const status = actions.map((a) => patchOf(a).status ?? {});
  assert.deepEqual(status.map((s) => [s['phase'], s['podIP'], s['hostIP']]), [
    ['Running', '10.244.0.3', '192.168.49.2'],
    ['Running', '192.168.49.2', '192.168.49.2'],
  ]);
  assert.deepEqual((status[0]?.['containerStatuses'] as { ready: boolean }[]).map((c) => c.ready), [true]);
});

test('terminating pods are neither scheduled nor started', () => {
  const terminating = { ...pod('t'), metadata: { name: 't', namespace: 'spire', deletionTimestamp: '2026-01-01T00:00:00Z' } };
  assert.deepEqual(planScheduling(snap([terminating])), []);
  assert.deepEqual(planKubelet(snap([{ ...terminating, spec: { nodeName: 'minikube' } }]), 'now'), []);
});

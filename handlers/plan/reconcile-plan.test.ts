import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { aNodeEntry, aPodEntry } from '../../test/fixtures/reconcile-entries.js';
import type { Entry } from '../entries/entry.js';
import type { PodEntriesConfig } from '../pod-reconcile/pod-entries.js';
import type { ChangePlan } from './change-plan.js';
import { planReconcile } from './reconcile-plan.js';

const cfg: PodEntriesConfig = {
  trustDomain: 'example.org',
  controllerName: 'spire-k8s-registrar',
  cluster: 'k8stest',
  podLabel: 'spire-workload',
  disabledNamespaces: [],
  addPodDnsNames: false,
  clusterDnsZone: 'cluster.local',
};
const RESERVED = 'label "spire-workload" value "spire" may not be a workload ID: the path "/spire" is reserved for SPIRE\'s server and agents';
const pod = (name: string, label?: string) => aPod({ name, namespace: 'default', labels: label ? { 'spire-workload': label } : {} });
const withId = (e: Entry, id: string): Entry => ({ ...e, id });
const reasons = (p: ChangePlan) => ({
  create: p.create.map((c) => c.reason),
  update: p.update.map((c) => c.reason),
  delete: p.delete.map((c) => `${c.entry.id}: ${c.reason}`).sort(),
  leftAlone: p.leftAlone.map((c) => c.entry.id),
});

test('each delete says why: no pod, no node, the pod declares no entry (and why), a duplicate', () => {
  const entries = [
    withId(aNodeEntry('minikube'), 'n1'),
    withId(aNodeEntry('old-node'), 'n2'),
    withId(aPodEntry('default', 'gone', 'gone'), 'p1'),
    withId(aPodEntry('default', 'unlabelled', 'x'), 'p2'),
    withId(aPodEntry('default', 'bad', 'bad'), 'p3'),
    withId(aPodEntry('default', 'web', 'web'), 'p4'),
    withId(aPodEntry('default', 'web', 'web'), 'p5'),
  ];
  const p = planReconcile({ nodes: [aNode({ name: 'minikube' })], pods: [pod('unlabelled'), pod('bad', 'spire'), pod('web', 'web')], endpointSlices: [] }, entries, cfg);
  assert.deepEqual(reasons(p), {
    create: [],
    update: [],
    delete: [
      'n2: no node',
      'p1: no pod',
      `p3: the pod declares no entry: ${RESERVED}`,
      'p2: the pod declares no entry',
      'p5: duplicate: another entry has the same SPIFFE ID, parent ID and selectors',
    ].sort(),
    leftAlone: [],
  });
  assert.deepEqual(p.problems, [`pod/default/bad: ${RESERVED}`]);
});

test('a relabelled pod is an update that says what changed; an entry under another root is left alone', () => {
  const foreign = withId(aPodEntry('default', 'web', 'web', { parentId: 'spiffe://example.org/someone-else' }), 'f');
  const p = planReconcile({ nodes: [aNode({ name: 'minikube' })], pods: [pod('web', 'web-v2')], endpointSlices: [] }, [withId(aNodeEntry('minikube'), 'n1'), withId(aPodEntry('default', 'web', 'web'), 'p1'), foreign], cfg);
  assert.deepEqual(reasons(p), { create: [], update: ['SPIFFE ID changed: spiffe://example.org/web -> spiffe://example.org/web-v2'], delete: [], leftAlone: ['f'] });
});

// Reconcile mode reads spiffe.io/federatesWith on pods and on nodes, as the original did on every object
// it made an entry for; a change of the annotation alone updates the entry in place (same entry ID).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT, startWorld } from './reconcile-harness.js';

const FED = 'spiffe.io/federatesWith';

test('reconcile: federates_with follows the annotation on pods and nodes, updated in place', async (t) => {
  const w = await startWorld(t, ['a.test', 'b.test', 'c.test', 'node-fed.test']);
  w.putNode('minikube', { [FED]: 'node-fed.test' });
  const pod = { name: 'web-0', namespace: 'default', nodeName: 'minikube', labels: { 'spire-workload': 'web' } };
  w.putPod({ ...pod, annotations: { [FED]: 'a.test, b.test' } });
  const reg = await w.startRegistrar({ resyncIntervalMs: 600_000 });
  await reg.ready;
  const web = () => w.entries().find((e) => e.spiffeId === 'spiffe://example.org/web');
  const node = () => w.entries().find((e) => e.spiffeId === `${ROOT}/minikube`);
  await w.waitFor('the pod and node entries', () => web() !== undefined && node() !== undefined);
  assert.deepEqual([...(web()?.federatesWith ?? [])].sort(), ['a.test', 'b.test']);
  assert.deepEqual(node()?.federatesWith, ['node-fed.test']);
  const ids = { web: web()?.id, node: node()?.id };

  w.putPod({ ...pod, annotations: { [FED]: 'c.test' } });
  w.putNode('minikube');
  await w.waitFor('federation updated', () => web()?.federatesWith.join() === 'c.test' && node()?.federatesWith.length === 0);
  assert.deepEqual({ web: web()?.id, node: node()?.id }, ids, 'updated in place, no delete + create');
});

// Reconcile mode's Kubernetes Events through the real composition (runReconcile, client-node event sink)
// into the fake API server: a pod whose label makes no valid workload ID gets one Warning, however many
// passes run, and the entries of the other pods are made as usual.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld } from './reconcile-harness.js';

type Ev = { reason: string; type: string; note: string; regarding: { kind: string; name: string; uid: string }; series?: { count: number } };

test('reconcile mode records a Warning InvalidSpiffeID on a pod whose label makes no valid SPIFFE ID, once', async (t) => {
  const w = await startWorld(t);
  w.putNode('minikube');
  w.putPod({ name: 'web-0', namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': 'web' } });
  w.putPod({ name: 'bad-0', namespace: 'spire', uid: 'pod-uid-bad', nodeName: 'minikube', labels: { 'spire-workload': 'spire' } });
  const reg = await w.startRegistrar({ resyncIntervalMs: 200 });
  await reg.ready;
  const events = () => w.kube.store.list('events.k8s.io/v1', 'Event', 'spire') as unknown as Ev[];
  await w.waitFor('the pod warning', () => events().length > 0);
  await w.waitFor('the web entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/web'));
  const fullPasses = () => reg.logs.filter((l) => l.msg === 'Reconciled entries' && l.full === true).length;
  const before = fullPasses();
  await w.waitFor('two more full passes', () => fullPasses() >= before + 2);
  assert.deepEqual(events().map((e) => [e.type, e.reason, e.regarding.kind, e.regarding.name, e.regarding.uid, e.series?.count ?? 1]), [
    ['Warning', 'InvalidSpiffeID', 'Pod', 'bad-0', 'pod-uid-bad', 1],
  ]);
  assert.match(events()[0]?.note ?? '', /label "spire-workload" value "spire" may not be a workload ID/);
});

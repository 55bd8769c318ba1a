// Crd mode's Kubernetes Events through the real composition (runCrd, client-node event sink) into the fake
// API server: EntryCreated on a SpiffeID, InvalidSpiffeID on a SpiffeID that breaks a rule and on a pod whose
// annotation makes no valid SPIFFE ID, each once however many passes run, and EntryDeleted when it goes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ids, passes, startCrdWorld, type CrdWorld } from './crd-harness.js';

type Ev = { reason: string; type: string; note: string; regarding: { kind: string; name: string }; series?: { count: number }; reportingController: string };
const events = (w: CrdWorld, ns: string) => w.kube.store.list('events.k8s.io/v1', 'Event', ns) as unknown as Ev[];
const summary = (w: CrdWorld, ns: string) => events(w, ns).map((e) => `${e.type} ${e.reason} ${e.regarding.kind}/${e.regarding.name} x${e.series?.count ?? 1}`).sort();

test('crd mode records events on SpiffeIDs and pods, by reason, once per transition', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube', 'node-uid-1');
  w.putPod({ name: 'bad-0', namespace: 'spire', uid: 'pod-uid-b', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'a//b' } });
  const reg = await w.startRegistrar();
  await reg.ready;
  const mine = (spiffeId: string) => ({
    apiVersion: 'spiffeid.spiffe.io/v1beta1',
    kind: 'SpiffeID',
    metadata: { name: 'mine', namespace: 'default' },
    spec: { parentId: 'spiffe://example.org/spire/server', spiffeId, selector: { podName: 'mine', namespace: 'default' } },
  });
  await w.custom.createNamespacedCustomObject({ ...ids, namespace: 'default', body: mine('spiffe://example.org/mine') });
  await w.custom.createNamespacedCustomObject({ ...ids, namespace: 'default', body: { ...mine('spiffe://elsewhere.org/x'), metadata: { name: 'foreign', namespace: 'default' } } });
  await w.waitFor('the events', () => summary(w, 'default').length === 2 && summary(w, 'spire').length === 2);
  await passes(w, reg, 3);
  assert.deepEqual(summary(w, 'spire'), ['Normal EntryCreated SpiffeID/minikube x1', 'Warning InvalidSpiffeID Pod/bad-0 x1']);
  assert.deepEqual(summary(w, 'default'), ['Normal EntryCreated SpiffeID/mine x1', 'Warning InvalidSpiffeID SpiffeID/foreign x1']);
  const invalid = events(w, 'default').find((e) => e.reason === 'InvalidSpiffeID');
  assert.match(invalid?.note ?? '', /example\.org/, 'the note says which rule');
  assert.ok(events(w, 'spire').every((e) => e.reportingController === 'k8s-workload-registrar'));

  await w.custom.deleteNamespacedCustomObject({ ...ids, namespace: 'default', name: 'mine' });
  await w.waitFor('EntryDeleted', () => summary(w, 'default').includes('Normal EntryDeleted SpiffeID/mine x1'));
});

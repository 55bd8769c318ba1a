// A pod SpiffeID's ownerReference does not block its pod's deletion (blockOwnerDeletion: false, as in the
// original): with the registrar down and the SpiffeID holding its finalizer, a foreground delete of the pod
// still completes; the registrar, once back, deletes the entry and releases the finalizer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SPIFFEID_FINALIZER } from '../../handlers/spiffeid/spiffeid.js';
import { startCrdWorld } from './crd-harness.js';

const pod = { name: 'web-0', namespace: 'spire', uid: 'pod-uid-web', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'web' } };
const WEB = 'spiffe://example.org/web';

test('crd: foreground deletion of a pod completes while the registrar is down; the entry goes when it is back', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube', 'node-uid-1');
  w.putPod(pod);
  const first = await w.startRegistrar();
  await first.ready;
  await w.waitFor('the web entry', () => w.entries().some((e) => e.spiffeId === WEB));
  const sid = () => w.spiffeIds('spire').find((s) => s.metadata.name === pod.name);
  await w.waitFor('the SpiffeID finalizer', () => sid()?.metadata.finalizers?.includes(SPIFFEID_FINALIZER) === true);
  assert.deepEqual(sid()?.metadata.ownerReferences, [
    { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid, controller: true, blockOwnerDeletion: false },
  ]);
  await first.stop();

  await w.core.deleteNamespacedPod({ name: pod.name, namespace: pod.namespace, propagationPolicy: 'Foreground' });
  await w.kube.idle();
  assert.equal(w.kube.store.get('v1', 'Pod', pod.name, pod.namespace), undefined, 'the pod is gone');
  assert.ok(sid()?.metadata.deletionTimestamp, 'the SpiffeID is being deleted, held by its finalizer');
  assert.ok(w.entries().some((e) => e.spiffeId === WEB), 'nobody removed the entry yet');

  const second = await w.startRegistrar();
  await second.ready;
  await w.waitFor('the web entry deleted', () => !w.entries().some((e) => e.spiffeId === WEB));
  await w.waitFor('the SpiffeID released', () => sid() === undefined);
});

// crd mode with pod_controller = false: as in the original, the key turns off the node and the pod
// controllers together. Only hand-made SpiffeIDs are mirrored into SPIRE; nodes and pods get nothing.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { describeEntries, ids, passes, startCrdWorld } from './crd-harness.js';

test('crd: pod_controller = false mirrors only hand-made SpiffeIDs (no node or pod SpiffeIDs, no node entries)', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube', 'node-uid-1');
  w.putPod({ name: 'web-0', namespace: 'spire', uid: 'pod-uid-web', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'web' } });
  const reg = await w.startRegistrar({ podController: false });
  await reg.ready;

  const sample = parseYaml(await readFile(new URL('../../deploy/crd/test-spiffeid.yaml', import.meta.url), 'utf8'));
  await w.custom.createNamespacedCustomObject({ ...ids, namespace: 'default', body: sample });
  await w.waitFor('the hand-made entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/test'));
  await passes(w, reg, 2);

  assert.deepEqual(describeEntries(w.entries()), ['spiffe://example.org/test <- spiffe://example.org/spire/server [k8s:ns:default k8s:pod-name:my-test-pod]']);
  assert.deepEqual(w.spiffeIds().map((s) => `${s.metadata.namespace}/${s.metadata.name}`), ['default/my-test-spiffeid']);
});

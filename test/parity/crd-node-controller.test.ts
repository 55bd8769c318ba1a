// Parity with mode-crd/controllers/node_controller_test.go (both upstream trees): a node gets exactly one
// SpiffeID (labelled with the node's UID) and, through it, a SPIRE entry. Here: the crd-mode runtime
// against the fake API server (SpiffeID CRD registered) and the in-memory SPIRE server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCrdWorld } from '../integration/crd-harness.js';

test('mode-crd node_controller_test.go TestAddNode', async (t) => {
  const w = await startCrdWorld(t);
  const reg = await w.startRegistrar();
  await reg.ready;
  w.putNode('test-node', 'test-node-uid');
  const ofNode = () => w.spiffeIds().filter((s) => s.metadata.labels?.nodeUid === 'test-node-uid');
  await w.waitFor('the node SpiffeID and its entry id', () => typeof (ofNode()[0]?.status as { entryId?: string } | undefined)?.entryId === 'string');
  assert.equal(ofNode().length, 1);
  const nodeId = 'spiffe://example.org/k8s-workload-registrar/k8stest/node/test-node';
  assert.equal((ofNode()[0]?.spec as { spiffeId?: string }).spiffeId, nodeId);
  assert.deepEqual(w.entries().filter((e) => e.spiffeId === nodeId).map((e) => e.id), [(ofNode()[0]?.status as { entryId: string }).entryId]);
});

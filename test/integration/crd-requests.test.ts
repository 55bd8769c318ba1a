// How many API requests crd mode makes per SpiffeID, through the real client-node writer against the
// fake API server: from cold, one create (the finalizer already in metadata) and one status merge patch
// per SpiffeID; no PUTs, no separate finalizer writes, and a GET only after a 409 (a pass that ran on an
// informer copy older than its own last write). A further pass writes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SPIFFEID_FINALIZER } from '../../handlers/spiffeid/spiffeid.js';
import { passes, startCrdWorld } from './crd-harness.js';

test('crd requests per SpiffeID from cold: one create with the finalizer and one status patch, no GET + PUT', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube', 'node-uid-1');
  const pods = 30;
  for (let i = 0; i < pods; i++) {
    w.putPod({ name: `web-${i}`, namespace: 'spire', uid: `pod-uid-${i}`, nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': `web-${i}` } });
  }
  w.kube.resetCounts();
  const reg = await w.startRegistrar();
  await reg.ready;
  const n = pods + 1;
  await w.waitFor('every SpiffeID has its entry in status', () => {
    const sids = w.spiffeIds('spire');
    return sids.length === n && sids.every((s) => typeof (s.status as { entryId?: string } | undefined)?.entryId === 'string');
  });
  assert.equal(w.entries().length, n);
  for (const s of w.spiffeIds('spire')) assert.deepEqual(s.metadata.finalizers, [SPIFFEID_FINALIZER]);

  await passes(w, reg, 2);
  const c = w.kube.requestCounts();
  assert.equal(c['create spiffeids'], n, 'one create per SpiffeID');
  assert.equal(c['update spiffeids'], undefined, 'no PUT');
  assert.equal(c['update spiffeids/status'], undefined, 'no PUT of status');
  assert.equal(c['patch spiffeids'], undefined, 'no separate finalizer write');
  const statusPatches = c['patch spiffeids/status'] ?? 0;
  const gets = c['get spiffeids'] ?? 0;
  assert.ok(statusPatches >= n, `every status written (${statusPatches})`);
  assert.ok(gets <= statusPatches - n, `a GET only after a refused patch (${gets} GETs, ${statusPatches} patches)`);

  const before = w.kube.writeCount('spiffeids') + w.kube.writeCount('spiffeids/status');
  await passes(w, reg, 2);
  assert.equal(w.kube.writeCount('spiffeids') + w.kube.writeCount('spiffeids/status'), before, 'converged: further passes write nothing');
});

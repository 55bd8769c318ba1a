// The client-node SpiffeIdWriter against the fake API server with the SpiffeID CRD: status goes through
// the status subresource, a 409 conflict is retried, finalizers are added and released, and deletes
// are guarded by UID.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SPIFFEID_API_VERSION, SPIFFEID_KIND } from '../../handlers/spiffeid/spiffeid.js';
import { declaredSpec } from '../../handlers/spiffeid/declared-spiffeid.js';
import { kubeSpiffeIdWriter } from '../../runtime/crd/spiffeid-writer.kube.js';
import { startCrdWorld } from './crd-harness.js';

const declared = {
  namespace: 'spire',
  name: 'web-0',
  labels: { podUid: 'u1' },
  owner: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'u1', controller: true, blockOwnerDeletion: true },
  spec: declaredSpec({ parentId: 'spiffe://example.org/spire/server', spiffeId: 'spiffe://example.org/web', selector: { podUid: 'u1', namespace: 'spire' } }),
};
const ref = { namespace: 'spire', name: 'web-0' };

test('client-node writer: create, status subresource with 409 retry, finalizers, update, UID-guarded delete', async (t) => {
  const w = await startCrdWorld(t);
  const writer = kubeSpiffeIdWriter(w.kube.kubeConfig());
  const get = () => w.kube.store.get(SPIFFEID_API_VERSION, SPIFFEID_KIND, 'web-0', 'spire');

  await writer.create(declared);
  await writer.create(declared); // AlreadyExists is fine
  assert.equal((get()?.spec as { spiffeId: string }).spiffeId, 'spiffe://example.org/web');

  let conflicts = 0;
  const remove = w.kube.onAdmission(
    (req) => (req.subResource === 'status' && conflicts++ === 0 ? { allowed: false, code: 409, reason: 'Conflict', message: 'the object has been modified' } : { allowed: true }),
    { resources: ['spiffeids'], operations: ['UPDATE'] },
  );
  await writer.writeStatus(ref, { entryId: 'e1', conditions: [] });
  remove();
  assert.equal(conflicts, 2, 'first attempt refused with 409, second accepted');
  assert.equal((get()?.status as { entryId: string }).entryId, 'e1');
  assert.equal(w.kube.requestCounts()['update spiffeids/status'], 2, 'status written through the status subresource, once more after the conflict');

  await writer.addFinalizer(ref, 'finalizers.spiffeid.spiffe.io');
  await writer.addFinalizer(ref, 'finalizers.spiffeid.spiffe.io');
  assert.deepEqual(get()?.metadata.finalizers, ['finalizers.spiffeid.spiffe.io']);

  await writer.update({ ...declared, spec: { ...declared.spec, dnsNames: ['web-0'] } });
  assert.deepEqual((get()?.spec as { dnsNames: string[] }).dnsNames, ['web-0']);
  assert.equal((get()?.status as { entryId: string }).entryId, 'e1', 'a spec update keeps the status');

  await writer.delete(ref, 'some-other-uid');
  assert.ok(get(), 'a delete for another UID leaves the object alone');
  await writer.delete(ref, get()?.metadata.uid as string);
  assert.ok(get()?.metadata.deletionTimestamp, 'the finalizer holds the object');
  await writer.releaseFinalizer(ref, 'finalizers.spiffeid.spiffe.io');
  await w.waitFor('object gone', () => get() === undefined);
  await writer.releaseFinalizer(ref, 'finalizers.spiffeid.spiffe.io'); // gone is fine
  await writer.writeStatus(ref, { entryId: null, conditions: [] });
});

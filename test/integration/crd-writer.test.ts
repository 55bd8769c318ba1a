// The SpiffeIdWriter, over the lean JSON client and over client-node (spiffeid-rest.ts), against the fake API server with the SpiffeID CRD: status goes through
// the status subresource, a 409 conflict is retried, finalizers are added and released, and deletes
// are guarded by UID. With what the informer saw of the object (its resourceVersion), a finalizer or
// status write is one merge patch and no GET; a stale resourceVersion costs a 409, a GET and a retry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { SPIFFEID_API_VERSION, SPIFFEID_KIND, SpiffeIdSchema } from '../../handlers/spiffeid/spiffeid.js';
import { declaredSpec } from '../../handlers/spiffeid/declared-spiffeid.js';
import { crdProjections } from '../../runtime/crd/crd-projections.js';
import { kubeSpiffeIdWriter } from '../../runtime/crd/spiffeid-writer.kube.js';
import { spiffeIdRest } from '../../runtime/crd/spiffeid-rest.js';
import type { KubeConfig } from '../../adapters/client-node.js';
import { createInterner } from '../../runtime/kube/shared-values.js';
import { ids, startCrdWorld } from './crd-harness.js';

const declared = {
  namespace: 'spire',
  name: 'web-0',
  labels: { podUid: 'u1' },
  owner: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'u1', controller: true, blockOwnerDeletion: false },
  spec: declaredSpec({ parentId: 'spiffe://example.org/spire/server', spiffeId: 'spiffe://example.org/web', selector: { podUid: 'u1', namespace: 'spire' } }),
};
const ref = { namespace: 'spire', name: 'web-0' };

// 'auto' falls back to client-node silently: each test first checks the transport it claims to test.
const onTransport = (kubeConfig: KubeConfig, transport: 'auto' | 'client-node', label: 'lean' | 'client-node') =>
  assert.equal(spiffeIdRest(kubeConfig, { transport }).transport, label, `the ${label} test runs on ${label}`);

for (const [label, transport] of [['lean', 'auto'], ['client-node', 'client-node']] as const) {
  test(`${label} writer: create, status subresource with 409 retry, finalizers, update, UID-guarded delete`, async (t) => {
    const w = await startCrdWorld(t);
    w.putPod({ name: 'web-0', namespace: 'spire', uid: 'u1' }); // the owner: the garbage collector deletes SpiffeIDs whose owner is gone
    onTransport(w.kube.kubeConfig(), transport, label);
    const writer = kubeSpiffeIdWriter(w.kube.kubeConfig(), { transport });
    const get = () => w.kube.store.get(SPIFFEID_API_VERSION, SPIFFEID_KIND, 'web-0', 'spire');

    const stored = await writer.create(declared, []);
    assert.equal(await writer.create(declared, []), undefined, 'AlreadyExists is fine, and answers no object');
    assert.equal((get()?.spec as { spiffeId: string }).spiffeId, 'spiffe://example.org/web');
    // The create answers the stored object: the pass plans its entry from this UID and resourceVersion.
    assert.equal(stored?.metadata.uid, get()?.metadata.uid);
    assert.equal(stored?.metadata.resourceVersion, get()?.metadata.resourceVersion);
    assert.equal(stored?.spec.spiffeId, 'spiffe://example.org/web');

    let conflicts = 0;
    const remove = w.kube.onAdmission(
      (req) => (req.subResource === 'status' && conflicts++ === 0 ? { allowed: false, code: 409, reason: 'Conflict', message: 'the object has been modified' } : { allowed: true }),
      { resources: ['spiffeids'], operations: ['UPDATE'] },
    );
    await writer.writeStatus(ref, { entryId: 'e1', conditions: [] });
    remove();
    assert.equal(conflicts, 2, 'first attempt refused with 409, second accepted');
    assert.equal((get()?.status as { entryId: string }).entryId, 'e1');
    assert.equal(w.kube.requestCounts()['patch spiffeids/status'], 2, 'status written through the status subresource, once more after the conflict');

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

  test(`${label} writer: created with the finalizer in one request; observed writes are one patch each, a stale one re-reads`, async (t) => {
    const w = await startCrdWorld(t);
    w.putPod({ name: 'web-0', namespace: 'spire', uid: 'u1' }); // the owner: the garbage collector deletes SpiffeIDs whose owner is gone
    onTransport(w.kube.kubeConfig(), transport, label);
    const writer = kubeSpiffeIdWriter(w.kube.kubeConfig(), { transport });
    const fin = 'finalizers.spiffeid.spiffe.io';
    const get = () => w.kube.store.get(SPIFFEID_API_VERSION, SPIFFEID_KIND, 'web-0', 'spire');
    const observed = () => {
      const m = get()?.metadata;
      return { ...ref, uid: m?.uid as string, resourceVersion: m?.resourceVersion as string, finalizers: (m?.finalizers ?? []) as string[] };
    };
    w.kube.resetCounts();

    await writer.create(declared, [fin]);
    assert.deepEqual(get()?.metadata.finalizers, [fin]);
    assert.deepEqual(w.kube.requestCounts(), { 'create spiffeids': 1 });

    w.kube.resetCounts();
    await writer.writeStatus(observed(), { entryId: 'e1', conditions: [{ type: 'Ready', status: 'True', reason: 'EntryReady', message: 'm', lastTransitionTime: 't' }] });
    assert.deepEqual(w.kube.requestCounts(), { 'patch spiffeids/status': 1 }, 'no GET');
    assert.equal((get()?.status as { entryId: string }).entryId, 'e1');
    assert.equal((get()?.status as { conditions: unknown[] }).conditions.length, 1);

    const stale = observed();
    await writer.writeStatus(observed(), { entryId: 'e2', conditions: [] });
    w.kube.resetCounts();
    await writer.writeStatus(stale, { entryId: 'e3', conditions: [] });
    assert.deepEqual(w.kube.requestCounts(), { 'patch spiffeids/status': 2, 'get spiffeids': 1 }, 'refused with 409, read, patched again');
    assert.equal((get()?.status as { entryId: string }).entryId, 'e3');
    w.kube.resetCounts();
    await writer.writeStatus(stale, { entryId: 'e3', conditions: [] });
    assert.deepEqual(w.kube.requestCounts(), { 'patch spiffeids/status': 1, 'get spiffeids': 1 }, 'refused with 409, read: already as wanted');

    w.kube.resetCounts();
    await writer.releaseFinalizer(observed(), fin);
    assert.deepEqual(get()?.metadata.finalizers ?? [], []);
    await writer.addFinalizer(observed(), fin);
    assert.deepEqual(get()?.metadata.finalizers, [fin]);
    assert.deepEqual(w.kube.requestCounts(), { 'patch spiffeids': 2 });

    w.kube.resetCounts();
    await writer.addFinalizer(observed(), fin);
    assert.deepEqual(w.kube.requestCounts(), {}, 'already observed: no request');

    // Replaced by a newer object of the same name: a write for the old one leaves it alone.
    const old = observed();
    await w.custom.deleteNamespacedCustomObject({ ...ids, namespace: 'spire', name: 'web-0' });
    await writer.releaseFinalizer(old, fin);
    await w.waitFor('old object gone', () => get() === undefined);
    await writer.create(declared, [fin]);
    w.kube.resetCounts();
    await writer.releaseFinalizer(old, fin);
    assert.deepEqual(get()?.metadata.finalizers, [fin], 'the newer object keeps its finalizer');
    assert.deepEqual(w.kube.requestCounts(), { 'patch spiffeids': 1, 'get spiffeids': 1 }, 'refused with 409, read, another UID: stop');
  });

  test(`${label} writer: a create answers what the informer cache would hold of the stored object (its projection), not the whole answer`, async (t) => {
    const w = await startCrdWorld(t);
    w.putPod({ name: 'web-0', namespace: 'spire', uid: 'u1' });
    const intern = createInterner();
    const project = crdProjections({}, intern).spiffeId;
    onTransport(w.kube.kubeConfig(), transport, label);
    const writer = kubeSpiffeIdWriter(w.kube.kubeConfig(), { project, transport });
    const stored = await writer.create(declared, ['finalizers.spiffeid.spiffe.io']);
    const raw = w.kube.store.get(SPIFFEID_API_VERSION, SPIFFEID_KIND, 'web-0', 'spire');
    assert.ok(stored && raw);
    assert.deepEqual(stored, project(v.parse(SpiffeIdSchema, raw)), 'the projection of the stored object');
    assert.equal('apiVersion' in stored, false, 'fields the plans do not read are not kept');
    assert.equal(stored.metadata.resourceVersion, raw.metadata.resourceVersion, 'what a guarded patch needs is kept');
    assert.deepEqual(stored.metadata.finalizers, ['finalizers.spiffeid.spiffe.io']);
    assert.equal(stored.metadata.namespace, intern('spire'), 'strings go through the shared interner');
  });
}

// The tutorial's crd-mode flow against the fake API server (SpiffeID CRD from deploy/crd registered)
// and the in-memory SPIRE server, with the tutorial's registrar configuration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { SPIFFEID_FINALIZER } from '../../handlers/spiffeid/spiffeid.js';
import { describeEntries, ids, passes, startCrdWorld } from './crd-harness.js';

const workload = { name: 'example-workload-98b6b79fd-jnv4m', namespace: 'spire', uid: 'pod-uid-w', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'example-workload' } };
const agent = { name: 'spire-agent-5xq2k', namespace: 'spire', uid: 'pod-uid-a', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'agent' } };
const NODE = 'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube';

test('tutorial: node, agent and workload entries; workload deletion; non-annotated pod; hand-made SpiffeID', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube', 'node-uid-1');
  w.putPod(agent);
  w.putPod(workload);
  const reg = await w.startRegistrar();
  await reg.ready;

  const expected = [
    `${NODE} <- spiffe://example.org/spire/server [k8s_psat:agent_node_uid:node-uid-1 k8s_psat:cluster:k8stest]`,
    `spiffe://example.org/agent <- ${NODE} [k8s:node-name:minikube k8s:ns:spire k8s:pod-uid:pod-uid-a] dns=spire-agent-5xq2k`,
    `spiffe://example.org/example-workload <- ${NODE} [k8s:node-name:minikube k8s:ns:spire k8s:pod-uid:pod-uid-w] dns=example-workload-98b6b79fd-jnv4m`,
  ];
  await w.waitFor('the three tutorial entries', () => describeEntries(w.entries()).join('\n') === [...expected].sort().join('\n'));

  // Every SpiffeID records its entry and carries the finalizer; node SpiffeID lives in the registrar namespace.
  await w.waitFor('statuses', () => w.spiffeIds('spire').every((s) => typeof (s.status as { entryId?: string } | undefined)?.entryId === 'string'));
  const sids = w.spiffeIds('spire');
  assert.deepEqual(sids.map((s) => s.metadata.name).sort(), ['example-workload-98b6b79fd-jnv4m', 'minikube', 'spire-agent-5xq2k']);
  const entryIds = new Set(w.entries().map((e) => e.id));
  for (const s of sids) {
    assert.ok(entryIds.has((s.status as { entryId: string }).entryId), `${s.metadata.name} status names a live entry`);
    assert.deepEqual(s.metadata.finalizers, [SPIFFEID_FINALIZER]);
  }
  const node = sids.find((s) => s.metadata.name === 'minikube');
  assert.deepEqual(node?.metadata.labels, { nodeUid: 'node-uid-1' });
  assert.equal(node?.metadata.ownerReferences?.[0]?.blockOwnerDeletion, false);
  assert.ok(reg.logs.some((l) => l.msg === 'Created new spire entry' && l.spiffe_id === 'spiffe://example.org/example-workload'));

  // Pod deletion: owner GC deletes the SpiffeID, the finalizer makes the registrar delete the entry first.
  await w.deletePod(workload.name);
  await w.waitFor('workload entry deleted', () => !w.entries().some((e) => e.spiffeId === 'spiffe://example.org/example-workload'));
  await w.waitFor('workload SpiffeID gone', () => !w.spiffeIds('spire').some((s) => s.metadata.name === workload.name));
  assert.equal(w.entries().length, 2);

  // Non-annotated pods get nothing.
  w.putPod({ name: 'not-annotated-workload-1', namespace: 'spire', uid: 'pod-uid-n', nodeName: 'minikube' });
  await passes(w, reg, 3);
  assert.equal(w.entries().length, 2);
  assert.ok(!w.spiffeIds('spire').some((s) => s.metadata.name === 'not-annotated-workload-1'));

  // The tutorial's test SpiffeID (deploy/crd/test-spiffeid.yaml) creates an entry; deleting it removes it.
  const sample = parseYaml(await readFile(new URL('../../deploy/crd/test-spiffeid.yaml', import.meta.url), 'utf8'));
  await w.custom.createNamespacedCustomObject({ ...ids, namespace: 'default', body: sample });
  await w.waitFor('test entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/test'));
  const test = w.entries().find((e) => e.spiffeId === 'spiffe://example.org/test');
  assert.deepEqual(describeEntries(test ? [test] : []), ['spiffe://example.org/test <- spiffe://example.org/spire/server [k8s:ns:default k8s:pod-name:my-test-pod]']);
  await w.waitFor('test SpiffeID status', () => (w.spiffeIds('default')[0]?.status as { entryId?: string } | undefined)?.entryId === test?.id);
  await w.custom.deleteNamespacedCustomObject({ ...ids, namespace: 'default', name: 'my-test-spiffeid' });
  await w.waitFor('test entry deleted', () => !w.entries().some((e) => e.spiffeId === 'spiffe://example.org/test'));
  await w.waitFor('test SpiffeID gone', () => w.spiffeIds('default').length === 0);
  assert.equal(w.entries().length, 2);
});

test('an entry deleted in SPIRE is recreated and the SpiffeID status follows', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube');
  w.putPod(workload);
  const reg = await w.startRegistrar();
  await reg.ready;
  const find = () => w.entries().find((e) => e.spiffeId === 'spiffe://example.org/example-workload');
  await w.waitFor('workload entry', () => find() !== undefined);
  const first = find()?.id as string;
  await w.spire.entryStore.deleteEntries([first]);
  assert.equal(find(), undefined);
  await w.waitFor('workload entry recreated', () => find() !== undefined);
  // Recreated under the same ID: the registrar chooses it from the SpiffeID's UID.
  assert.equal(find()?.id, first);
  assert.match(first, /^k8s-workload-registrar\.k8stest\./);
  assert.equal((w.spiffeIds('spire').find((s) => s.metadata.name === workload.name)?.status as { entryId?: string } | undefined)?.entryId, first);
  assert.equal(w.entries().filter((e) => e.spiffeId === 'spiffe://example.org/example-workload').length, 1);
});

test('a registrar restart adopts existing entries: same IDs, no duplicates, even with statuses lost', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube');
  w.putPod(agent);
  w.putPod(workload);
  const first = await w.startRegistrar();
  await first.ready;
  await w.waitFor('three entries', () => w.entries().length === 3);
  await w.waitFor('statuses', () => w.spiffeIds('spire').every((s) => (s.status as { entryId?: string } | undefined)?.entryId));
  const before = w.entries().map((e) => e.id).sort();
  await first.stop();

  // As if another registrar version had created the entries: SpiffeIDs without status.entryId.
  for (const s of w.spiffeIds('spire')) w.kube.store.putObject({ ...s, status: {} });

  const second = await w.startRegistrar();
  await second.ready;
  await w.waitFor('statuses re-adopted', () => w.spiffeIds('spire').every((s) => (s.status as { entryId?: string } | undefined)?.entryId));
  await passes(w, second, 2);
  assert.deepEqual(w.entries().map((e) => e.id).sort(), before);
  assert.ok(!second.logs.some((l) => l.msg === 'Created new spire entry'));
  assert.deepEqual(
    w.spiffeIds('spire').map((s) => (s.status as { entryId: string }).entryId).sort(),
    before,
  );
});

test('a pod whose annotation changes gets its SpiffeID and entry updated', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube');
  w.putPod(workload);
  const reg = await w.startRegistrar();
  await reg.ready;
  await w.waitFor('workload entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/example-workload'));
  const id = w.entries().find((e) => e.spiffeId === 'spiffe://example.org/example-workload')?.id;
  w.putPod({ ...workload, annotations: { 'spiffe.io/spiffe-id': 'example-workload-v2' } });
  await w.waitFor('entry moved to the new ID', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/example-workload-v2'));
  assert.equal(w.entries().find((e) => e.spiffeId === 'spiffe://example.org/example-workload-v2')?.id, id, 'updated in place');
  assert.equal(w.entries().length, 2);
});

test('a pod name reused by a new pod (StatefulSet) waits for the old SpiffeID, then gets its own entry', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube');
  const web = { name: 'web-0', namespace: 'spire', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'web' } };
  w.putPod({ ...web, uid: 'old-uid' });
  const reg = await w.startRegistrar();
  await reg.ready;
  const webEntries = () => w.entries().filter((e) => e.spiffeId === 'spiffe://example.org/web');
  await w.waitFor('entry of the old pod', () => webEntries().length === 1);
  await w.deletePod('web-0');
  w.putPod({ ...web, uid: 'new-uid' });
  await w.waitFor('entry of the new pod', () =>
    webEntries().length === 1 && (webEntries()[0]?.selectors ?? []).some((s) => s.value === 'pod-uid:new-uid'));
  const sid = w.spiffeIds('spire').find((s) => s.metadata.name === 'web-0');
  assert.deepEqual(sid?.metadata.labels, { podUid: 'new-uid' });
  assert.equal(sid?.metadata.ownerReferences?.[0]?.uid, 'new-uid');
});

test('differs from the original: swapped in for the Go registrar, its entries move to our own IDs (no duplicate left), and a later annotation change leaves no entry with the old identity', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube', 'node-uid-1');
  w.putPod(agent);
  w.putPod(workload);
  const first = await w.startRegistrar();
  await first.ready;
  await w.waitFor('three entries', () => w.entries().length === 3);
  await w.waitFor('statuses', () => w.spiffeIds('spire').every((s) => (s.status as { entryId?: string } | undefined)?.entryId));
  await first.stop();

  // As the Go registrar leaves things: the same entries under random IDs, each SpiffeID's status naming its own.
  const ours = w.entries();
  const legacyId = (i: number) => `00000000-0000-4000-8000-00000000000${i}`;
  await w.spire.entryStore.deleteEntries(ours.map((e) => e.id));
  const made = await w.spire.entryStore.createEntries(ours.map((e, i) => ({ ...e, id: legacyId(i) })));
  assert.ok(made.every((r) => r.status.code === 0));
  for (const s of w.spiffeIds('spire')) {
    const i = ours.findIndex((e) => e.id === (s.status as { entryId: string }).entryId);
    w.kube.store.putObject({ ...s, status: { entryId: legacyId(i) } });
  }
  const before = describeEntries(w.entries());

  const second = await w.startRegistrar();
  await second.ready;
  const ownIds = () => w.entries().every((e) => e.id.startsWith('k8s-workload-registrar.k8stest.'));
  await w.waitFor('every entry under our own ID', () => ownIds() && w.entries().length === 3);
  await w.waitFor('statuses name them', () => w.spiffeIds('spire').every((s) => (s.status as { entryId: string }).entryId.startsWith('k8s-workload-registrar.k8stest.')));
  assert.deepEqual(describeEntries(w.entries()), before, 'the same entries, only their IDs changed');
  assert.equal(second.logs.filter((l) => l.msg === 'Moved a legacy entry to the registrar\'s own entry ID').length, 3);

  // The workload's annotation changes: its entry (ours now) follows in place; nothing issues the old ID.
  const id = w.entries().find((e) => e.spiffeId === 'spiffe://example.org/example-workload')?.id;
  w.putPod({ ...workload, annotations: { 'spiffe.io/spiffe-id': 'example-workload-v2' } });
  await w.waitFor('entry moved to the new ID', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/example-workload-v2'));
  await passes(w, second, 1);
  assert.equal(w.entries().find((e) => e.spiffeId === 'spiffe://example.org/example-workload-v2')?.id, id);
  assert.equal(w.entries().some((e) => e.spiffeId === 'spiffe://example.org/example-workload'), false);
  assert.equal(w.entries().length, 3);
});

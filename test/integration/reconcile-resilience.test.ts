// Reconcile mode keeps SPIRE level with the cluster whatever happened in between: a registrar that was
// down, entries changed by hand, entries of others, watches that drop or expire.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../../handlers/entries/entry.js';
import { selector } from '../../handlers/entries/selectors.js';
import { ROOT, startWorld } from './reconcile-harness.js';

const labelled = (name: string) => ({ name, namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': name } });
const spiffeIds = (w: Awaited<ReturnType<typeof startWorld>>) => w.entries().map((e) => e.spiffeId).sort();

test('a pod deleted while the registrar was down is cleaned up at start', async (t) => {
  const w = await startWorld(t);
  w.putNode('minikube');
  w.putPod(labelled('a'));
  w.putPod(labelled('b'));
  const first = await w.startRegistrar();
  await first.ready;
  await w.waitFor('two pod entries', () => w.entries().length === 3);
  await first.stop();

  w.deletePod('b');
  const second = await w.startRegistrar();
  await second.ready;
  await w.waitFor('the entry of b to go', () => w.entries().length === 2);
  assert.deepEqual(spiffeIds(w), ['spiffe://example.org/a', `${ROOT}/minikube`]);
  await w.waitFor('the delete log line', () => second.logs.some((l) => l.msg === 'Deleted entry'));
  assert.deepEqual(second.logs.filter((l) => l.msg === 'Deleted entry').map((l) => l.spiffe_id), ['spiffe://example.org/b']);
});

test('an owned entry deleted by hand in SPIRE comes back within one resync; an entry of someone else survives', async (t) => {
  const w = await startWorld(t);
  w.putNode('minikube');
  w.putPod(labelled('a'));
  // Made by an operator: parented to the node entry, but with selectors that name no pod.
  const [operator] = await w.spire.entryStore.createEntries([
    newEntry({ spiffeId: 'spiffe://example.org/operator', parentId: `${ROOT}/minikube`, selectors: [selector('unix', 'uid:0')] }),
  ]);
  // Made by another tool entirely.
  const [other] = await w.spire.entryStore.createEntries([
    newEntry({ spiffeId: 'spiffe://example.org/other', parentId: 'spiffe://example.org/spire/agent/x', selectors: [selector('k8s', 'ns:spire'), selector('k8s', 'pod-name:a')] }),
  ]);
  const reg = await w.startRegistrar({ resyncIntervalMs: 300 });
  await reg.ready;
  await w.waitFor('the pod entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/a'));

  const a = w.entries().find((e) => e.spiffeId === 'spiffe://example.org/a');
  await w.spire.entryStore.deleteEntries([a?.id ?? '']);
  await w.waitFor('the pod entry to come back', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/a'));
  await w.waitFor('the summary of the resync that recreated it', () =>
    reg.logs.some((l) => l.msg === 'Reconciled entries' && l.full === true && l.created === 1 && l.declared === 2),
  );
  assert.deepEqual(spiffeIds(w), ['spiffe://example.org/a', 'spiffe://example.org/operator', 'spiffe://example.org/other', `${ROOT}/minikube`]);
  assert.ok(w.entries().some((e) => e.id === operator?.entry?.id));
  assert.ok(w.entries().some((e) => e.id === other?.entry?.id));
});

test('a dropped watch and a 410 Gone lose nothing, deletes included', async (t) => {
  const w = await startWorld(t);
  w.putNode('minikube');
  w.putPod(labelled('a'));
  w.putPod(labelled('b'));
  // A long resync: what happens below must be seen through the informers, not a periodic full pass.
  const reg = await w.startRegistrar({ resyncIntervalMs: 600_000 });
  await reg.ready;
  await w.waitFor('initial entries', () => w.entries().length === 3);

  w.kube.dropWatches('destroy');
  w.deletePod('a');
  w.putPod(labelled('c'));
  await w.waitFor('changes made while the watch was down', () => spiffeIds(w).join() === ['spiffe://example.org/b', 'spiffe://example.org/c', `${ROOT}/minikube`].join());

  w.kube.expireResourceVersions();
  w.deletePod('b');
  w.putPod(labelled('d'));
  await w.waitFor('changes made across a 410 Gone', () => spiffeIds(w).join() === ['spiffe://example.org/c', 'spiffe://example.org/d', `${ROOT}/minikube`].join());
  assert.equal(reg.logs.filter((l) => l.msg === 'Reconciled entries' && l.full === true).length, 1, 'no full pass was needed');
});

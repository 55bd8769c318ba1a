// Webhook mode when SPIRE fails under it: reviews answered 500 while SPIRE is down, SPIRE frozen past
// the review deadline, SPIRE back without its data. With webhook_resync the registrar repairs what the
// reviews could not do; without it, the cluster node entry still comes back on its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../../handlers/entries/entry.js';
import { aRawPod } from '../fixtures/k8s-objects.js';
import { describeEntries } from '../integration/reconcile-harness.js';
import { NODE_ID, startWebhookWorld } from './webhook-world.js';

const pod = (name: string) => ({ name, namespace: 'spire', serviceAccount: name });
const podEntry = (name: string) => `spiffe://example.org/ns/spire/sa/${name} <- ${NODE_ID} [k8s:ns:spire k8s:pod-name:${name}]`;
const nodeEntry = `${NODE_ID} <- spiffe://example.org/spire/server [k8s_psat:cluster:k8stest]`;

test('SPIRE down: reviews answer 500, and the catch-up creates the missed entries and deletes the left-over one', async (t) => {
  const w = await startWebhookWorld(t, { webhookResync: true, resyncIntervalMs: 300 });
  assert.equal((await w.admit('CREATE', pod('kept'))).status, 200);
  assert.equal((await w.admit('CREATE', pod('deleted-during-outage'))).status, 200);
  // An operator's entry under the cluster node entry: not a pod entry, never touched.
  await w.spire.server.entryStore.createEntries([
    newEntry({ spiffeId: 'spiffe://example.org/operator', parentId: NODE_ID, selectors: [{ type: 'unix', value: 'uid:0' }] }),
  ]);
  await w.waitFor('three entries and the node entry', () => w.spire.entries().length === 4);

  await w.spire.down();
  const created = await w.admit('CREATE', pod('admitted-during-outage'));
  const deleted = await w.admit('DELETE', pod('deleted-during-outage'));
  assert.equal(created.status, 500, created.text);
  assert.equal(deleted.status, 500, deleted.text);
  await w.spire.back();
  await w.waitFor('the catch-up to repair both', () =>
    describeEntries(w.spire.entries()).join('\n') ===
    [nodeEntry, podEntry('kept'), podEntry('admitted-during-outage'), `spiffe://example.org/operator <- ${NODE_ID} [unix:uid:0]`].sort().join('\n'));
  // One write each, over however many passes it took (the pod informer may see the delete a pass late).
  // The pass logs its summary after its writes return, so SPIRE can hold the state before the line is out.
  const writes = () => {
    const caughtUp = w.logs.filter((l) => l.msg === 'Caught up pod entries');
    return [caughtUp.reduce((n, l) => n + Number(l.created), 0), caughtUp.reduce((n, l) => n + Number(l.deleted), 0)];
  };
  await w.waitFor('the catch-up summaries', () => writes().every((n) => n > 0));
  assert.deepEqual(writes(), [1, 1]);
});

test('pods admitted while the webhook itself was down get their entries at start-up', async (t) => {
  const w = await startWebhookWorld(t, {
    webhookResync: true,
    resyncIntervalMs: 60_000,
    before: ({ kube }) => {
      kube.store.putObject(aRawPod(pod('early-1')) as never);
      kube.store.putObject(aRawPod(pod('early-2')) as never);
      kube.store.putObject(aRawPod({ ...pod('system'), namespace: 'kube-system' }) as never);
    },
  });
  await w.waitFor('the start-up catch-up', () => w.spire.entries().length === 3);
  assert.deepEqual(describeEntries(w.spire.entries()), [nodeEntry, podEntry('early-1'), podEntry('early-2')].sort());
});

test('SPIRE back empty: the node entry and every pod entry come back with the catch-up on', async (t) => {
  const w = await startWebhookWorld(t, { webhookResync: true, resyncIntervalMs: 300 });
  for (const p of ['a', 'b', 'c']) assert.equal((await w.admit('CREATE', pod(p))).status, 200);
  await w.waitFor('entries', () => w.spire.entries().length === 4);
  const before = describeEntries(w.spire.entries());

  await w.spire.down();
  await w.spire.back({ empty: true });
  await w.waitFor('everything registered again', () => w.spire.entries().length === 4);
  assert.deepEqual(describeEntries(w.spire.entries()), before);
  assert.ok(w.logs.some((l) => l.msg === 'Cluster node entry was missing; registered it again'));
});

test('SPIRE back empty without the catch-up: the node entry is registered again within a resync', async (t) => {
  const w = await startWebhookWorld(t, { webhookResync: false, resyncIntervalMs: 300 });
  await w.spire.down();
  await w.spire.back({ empty: true });
  await w.waitFor('the node entry', () => w.spire.entries().length === 1);
  assert.deepEqual(describeEntries(w.spire.entries()), [nodeEntry]);
  // A pod admitted afterwards hangs under a parent that exists.
  assert.equal((await w.admit('CREATE', pod('after'))).status, 200);
  assert.deepEqual(describeEntries(w.spire.entries()), [nodeEntry, podEntry('after')].sort());
});

test('SPIRE frozen past the review deadline: the review answers 500 and its create is never applied', async (t) => {
  const w = await startWebhookWorld(t, { webhookResync: false, resyncIntervalMs: 60_000, spireTimeoutMs: 300 });
  const faults = w.spire.server.core.faults;
  const before = w.spire.server.core.calls().BatchCreateEntry;
  faults.delayMs(1_000);
  const res = await w.admit('CREATE', pod('late'));
  assert.equal(res.status, 500, res.text);
  const calls = w.spire.server.core.calls().BatchCreateEntry - before;
  assert.ok(calls >= 1, 'the create reached SPIRE');
  // Each delayed call is answered after the delay; the server drops those whose client gave up.
  await w.waitFor('the frozen calls to end', () => faults.dropped === calls);
  faults.delayMs(0);
  assert.deepEqual(describeEntries(w.spire.entries()), [nodeEntry]);
});

// Creating many pods between resyncs costs no ListEntries call per pod, and the creates go out in
// batches (counted by the in-memory SPIRE server).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld } from './reconcile-harness.js';

test('1,000 new pods: no ListEntries per pod, creates batched', async (t) => {
  const w = await startWorld(t);
  w.putNode('minikube');
  const reg = await w.startRegistrar({ resyncIntervalMs: 600_000 });
  await reg.ready;
  await w.waitFor('the node entry', () => w.entries().length === 1);
  w.spire.core.resetCalls();

  for (let i = 0; i < 1000; i++) {
    w.putPod({ name: `load-${i}`, namespace: 'default', nodeName: 'minikube', labels: { 'spire-workload': `load-${i}` } });
  }
  await w.waitFor('1,001 entries', () => w.entries().length === 1001);
  const createdByEvents = () =>
    reg.logs.filter((l) => l.msg === 'Reconciled entries' && l.full === false).reduce((n, l) => n + Number(l.created), 0);
  await w.waitFor('the pass summaries to count 1,000 creates', () => createdByEvents() === 1000);

  const calls = w.spire.core.calls();
  const passes = reg.logs.filter((l) => l.msg === 'Reconciled entries' && l.full === false && Number(l.created) > 0).length;
  t.diagnostic(`BatchCreateEntry calls: ${calls.BatchCreateEntry}, event passes that created: ${passes}`);
  assert.equal(calls.ListEntries, 0, 'no ListEntries between resyncs');
  assert.equal(calls.GetEntry, 0);
  // Each pass sends its creates in batches of at most 50: at most ceil(n/50) calls per pass.
  assert.ok(calls.BatchCreateEntry >= 20, 'at most 50 entries per call');
  assert.ok(calls.BatchCreateEntry <= 20 + passes, `creates batched (${calls.BatchCreateEntry} calls for ${passes} passes)`);
  assert.ok(calls.BatchCreateEntry < 100);
  assert.equal(calls.BatchDeleteEntry + calls.BatchUpdateEntry, 0);
});

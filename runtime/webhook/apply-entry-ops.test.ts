import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import type { EntryStore } from '../../adapters/entry-store.js';
import { entryFromWire, entryToWire } from '../../adapters/spire/entry-convert.js';
import type { EntryOp } from '../../handlers/admission-validate/review-pod.js';
import { newEntry, type Entry } from '../../handlers/entries/entry.js';
import { createLogger } from '../logger.js';
import { applyEntryOps } from './apply-entry-ops.js';

const nodeId = 'spiffe://example.org/k8s-workload-registrar/k8stest/node';
const sel = (ns: string, pod: string) => [
  { type: 'k8s', value: `ns:${ns}` },
  { type: 'k8s', value: `pod-name:${pod}` },
];
const podEntry = (name: string, init: Partial<Entry> = {}) =>
  newEntry({ spiffeId: 'spiffe://example.org/ns/spire/sa/default', parentId: nodeId, selectors: sel('spire', name), ...init });

async function setup(federated: string[] = []) {
  const core = await MemorySpireCore.create({ trustDomain: 'example.org', federatedTrustDomains: federated });
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ logLevel: 'debug', logFormat: 'json' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  const stored = () => core.entries().map(entryFromWire);
  const seed = async (...entries: Entry[]) => {
    const res = await core.batchCreateEntry({ entries: entries.map(entryToWire) });
    assert.ok(res.results.every((r) => r.status.code === 0));
    core.resetCalls();
  };
  // Counts the store's logical calls; a paged ListEntries is one call here, however many RPCs it takes.
  const counts = { listEntries: 0, deleteEntries: 0 };
  const inner = memoryEntryStore(core);
  const store: EntryStore = {
    ...inner,
    listEntries: (...a) => (counts.listEntries++, inner.listEntries(...a)),
    deleteEntries: (...a) => (counts.deleteEntries++, inner.deleteEntries(...a)),
  };
  return { core, store, counts, log, lines, stored, seed };
}

const create = (entry: Entry): EntryOp => ({ op: 'create', entry });
const del = (ns: string, pod: string): EntryOp => ({ op: 'delete', parentId: nodeId, selectors: sel(ns, pod) });

test('create writes the entry and logs "Created pod entry" with its fields', async () => {
  const s = await setup();
  await applyEntryOps(s.store, [create(podEntry('workload-0'))], s.log);
  const [stored] = s.stored();
  assert.equal(s.stored().length, 1);
  assert.deepEqual([stored?.spiffeId, stored?.parentId, stored?.selectors], [podEntry('x').spiffeId, nodeId, sel('spire', 'workload-0')]);
  const created = s.lines.filter((l) => l.msg === 'Created pod entry');
  assert.deepEqual(created.map((l) => [l.level, l.entry_id, l.spiffe_id, l.parent_id, l.selectors]), [
    ['info', stored?.id, 'spiffe://example.org/ns/spire/sa/default', nodeId, 'k8s:ns:spire,k8s:pod-name:workload-0'],
  ]);
});

test('create of an entry that already exists succeeds (ALREADY_EXISTS) and leaves one entry', async () => {
  const s = await setup();
  await applyEntryOps(s.store, [create(podEntry('w'))], s.log);
  await applyEntryOps(s.store, [create(podEntry('w'))], s.log);
  assert.equal(s.stored().length, 1);
  assert.equal(s.lines.filter((l) => l.msg === 'Created pod entry').length, 2);
});

test('a per-item failure rejects with the SPIRE status and writes nothing', async () => {
  const s = await setup();
  await assert.rejects(applyEntryOps(s.store, [create(podEntry('w', { federatesWith: ['unknown.test'] }))], s.log), /^Error: create pod entry: INTERNAL: .*unknown\.test/);
  assert.deepEqual(s.stored(), []);
  assert.equal(s.lines.some((l) => l.msg === 'Failed to create pod entry' && l.level === 'error'), true);
});

test('delete removes exactly the pod entry under the node entry, with one ListEntries and one BatchDeleteEntry', async () => {
  const s = await setup();
  const target = podEntry('w');
  const superset = podEntry('w', { selectors: [...sel('spire', 'w'), { type: 'k8s', value: 'sa:x' }] });
  const notOwned = podEntry('w', { parentId: 'spiffe://example.org/someone-else' });
  const otherPod = podEntry('w2');
  await s.seed(target, superset, notOwned, otherPod);
  await applyEntryOps(s.store, [del('spire', 'w')], s.log);
  assert.deepEqual(
    s.stored().map((e) => [e.parentId, e.selectors.length, e.selectors[1]?.value]),
    [
      [nodeId, 3, 'pod-name:w'],
      ['spiffe://example.org/someone-else', 2, 'pod-name:w'],
      [nodeId, 2, 'pod-name:w2'],
    ],
  );
  assert.deepEqual(s.counts, { listEntries: 1, deleteEntries: 1 });
  // One unpaged ListEntries RPC: a paged one would end with a second, empty page (spire-entry-api.md 2.7).
  assert.deepEqual([s.core.calls().ListEntries, s.core.calls().BatchDeleteEntry], [1, 1]);
  assert.deepEqual(s.lines.filter((l) => l.msg === 'Deleted pod entry').map((l) => [l.level, l.selectors]), [['info', 'k8s:ns:spire,k8s:pod-name:w']]);
});

test('delete with nothing to delete lists once and deletes nothing', async () => {
  const s = await setup();
  await applyEntryOps(s.store, [del('spire', 'gone')], s.log);
  assert.deepEqual(s.counts, { listEntries: 1, deleteEntries: 0 });
  assert.deepEqual([s.core.calls().ListEntries, s.core.calls().BatchDeleteEntry], [1, 0]);
});

test('duplicates from an earlier registrar are all deleted, one log line each', async () => {
  const s = await setup();
  await s.seed(podEntry('w'), podEntry('w', { spiffeId: 'spiffe://example.org/ns/spire/sa/old' }));
  await applyEntryOps(s.store, [del('spire', 'w')], s.log);
  assert.deepEqual(s.stored(), []);
  assert.equal(s.lines.filter((l) => l.msg === 'Deleted pod entry').length, 2);
  assert.equal(s.lines.filter((l) => l.msg === 'Multiple pod entries found to delete').length, 1);
});

test('SPIRE unavailable: create and delete reject, and nothing changes', async () => {
  const s = await setup();
  await s.seed(podEntry('w'));
  const before = s.stored();
  s.core.faults.unavailable(true);
  await assert.rejects(applyEntryOps(s.store, [create(podEntry('new'))], s.log), /^Error: create pod entry/);
  await assert.rejects(applyEntryOps(s.store, [del('spire', 'w')], s.log), /^Error: list pod entries/);
  s.core.faults.unavailable(false);
  assert.deepEqual(s.stored(), before);
});

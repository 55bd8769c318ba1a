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
import { CreatedEntries } from './created-entries.js';

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

// DELETE by the entry ID the pod's CREATE made (CreatedEntries, keyed by pod UID).
const createFor = (podUid: string, entry: Entry): EntryOp => ({ op: 'create', entry, podUid });
const delFor = (podUid: string, pod: string): EntryOp => ({ op: 'delete', parentId: nodeId, selectors: sel('spire', pod), podUid });
const rpcs = (s: Awaited<ReturnType<typeof setup>>) => [s.core.calls().ListEntries, s.core.calls().BatchDeleteEntry];

test('created here: the DELETE is one BatchDeleteEntry by the remembered ID, no ListEntries', async () => {
  const s = await setup();
  const created = new CreatedEntries(10);
  await s.seed(podEntry('other'));
  await applyEntryOps(s.store, [createFor('uid-w', podEntry('w'))], s.log, {}, undefined, created);
  s.core.resetCalls();
  await applyEntryOps(s.store, [delFor('uid-w', 'w')], s.log, {}, undefined, created);
  assert.deepEqual(rpcs(s), [0, 1]);
  assert.deepEqual(s.stored().map((e) => e.selectors[1]?.value), ['pod-name:other']);
  assert.deepEqual(s.lines.filter((l) => l.msg === 'Deleted pod entry').map((l) => l.selectors), ['k8s:ns:spire,k8s:pod-name:w']);
  assert.equal(created.size, 0);
});

test('an entry that already existed is remembered from the ALREADY_EXISTS result', async () => {
  const s = await setup();
  const created = new CreatedEntries(10);
  await s.seed(podEntry('w'));
  await applyEntryOps(s.store, [createFor('uid-w', podEntry('w'))], s.log, {}, undefined, created);
  s.core.resetCalls();
  await applyEntryOps(s.store, [delFor('uid-w', 'w')], s.log, {}, undefined, created);
  assert.deepEqual([rpcs(s), s.stored()], [[0, 1], []]);
});

test('a pod this process did not see created falls back to the lookup', async () => {
  const s = await setup();
  const created = new CreatedEntries(10);
  await s.seed(podEntry('w'));
  await applyEntryOps(s.store, [delFor('uid-w', 'w')], s.log, {}, undefined, created);
  assert.deepEqual([rpcs(s), s.stored()], [[1, 1], []]);
});

test('a pod forgotten for capacity falls back to the lookup; the remembered one does not', async () => {
  const s = await setup();
  const created = new CreatedEntries(1);
  await applyEntryOps(s.store, [createFor('uid-a', podEntry('a')), createFor('uid-b', podEntry('b'))], s.log, {}, undefined, created);
  s.core.resetCalls();
  await applyEntryOps(s.store, [delFor('uid-a', 'a')], s.log, {}, undefined, created);
  assert.deepEqual(rpcs(s), [1, 1]);
  s.core.resetCalls();
  await applyEntryOps(s.store, [delFor('uid-b', 'b')], s.log, {}, undefined, created);
  assert.deepEqual([rpcs(s), s.stored()], [[0, 1], []]);
});

test('stale ID (entry deleted and made again elsewhere): NOT_FOUND, then the lookup deletes only this pod\'s entry', async () => {
  const s = await setup();
  const created = new CreatedEntries(10);
  await applyEntryOps(s.store, [createFor('uid-w', podEntry('w'))], s.log, {}, undefined, created);
  const [first] = s.stored();
  // Another replica deleted it and a restart re-created it under a new ID; another pod's entry sits beside it.
  await s.core.batchDeleteEntry({ ids: [first?.id ?? ''] });
  await s.seed(podEntry('w'), podEntry('w2'));
  await applyEntryOps(s.store, [delFor('uid-w', 'w')], s.log, {}, undefined, created);
  assert.deepEqual(rpcs(s), [1, 2]);
  assert.deepEqual(s.stored().map((e) => e.selectors[1]?.value), ['pod-name:w2']);
});

test('a pod re-created under the same name: its DELETE never uses the old pod\'s remembered ID', async () => {
  const s = await setup();
  const created = new CreatedEntries(10);
  await applyEntryOps(s.store, [createFor('uid-old', podEntry('w'))], s.log, {}, undefined, created);
  const oldId = s.stored()[0]?.id;
  // The old pod's DELETE and the new pod's CREATE went to another replica: same key, new entry ID.
  await s.core.batchDeleteEntry({ ids: [oldId ?? ''] });
  await s.seed(podEntry('w'));
  const newId = s.stored()[0]?.id;
  assert.notEqual(newId, oldId);
  await applyEntryOps(s.store, [delFor('uid-new', 'w')], s.log, {}, undefined, created);
  assert.deepEqual([rpcs(s), s.stored()], [[1, 1], []]);
  // A late DELETE of the old pod: its ID is gone, the lookup finds nothing, nothing else is touched.
  await s.seed(podEntry('w3'));
  await applyEntryOps(s.store, [delFor('uid-old', 'w')], s.log, {}, undefined, created);
  assert.deepEqual([rpcs(s), s.stored().map((e) => e.selectors[1]?.value)], [[1, 1], ['pod-name:w3']]);
});

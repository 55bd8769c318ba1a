import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { entryKey } from '../../handlers/entries/entry-key.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { okStatus, StatusCode } from '../../handlers/entries/status-code.js';
import type { Node } from '../../handlers/k8s/node.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import type { PodEntriesConfig } from '../../handlers/pod-reconcile/pod-entries.js';
import type { EntryStore } from '../../adapters/entry-store.js';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { aPodEntry, ROOT } from '../../test/fixtures/reconcile-entries.js';
import type { Clock } from '../clock.js';
import { createReconciler, type ClusterView } from './reconciler.js';
import type { RegistrarEvent } from '../../handlers/events/registrar-event.js';

const cfg: PodEntriesConfig = {
  trustDomain: 'example.org',
  controllerName: 'spire-k8s-registrar',
  cluster: 'k8stest',
  podLabel: 'spire-workload',
  disabledNamespaces: [],
  addPodDnsNames: false,
  clusterDnsZone: 'cluster.local',
};

/** A Map-backed store that enforces SPIRE's similar-entry rule and counts calls. */
function fakeStore(initial: Entry[] = []) {
  const entries = new Map(initial.map((e) => [e.id, e]));
  const calls = { list: 0, create: 0, update: 0, delete: 0 };
  let next = 0;
  const store: EntryStore = {
    async listEntries() {
      calls.list++;
      return [...entries.values()];
    },
    async getEntry() {
      throw new Error('not used');
    },
    async countEntries() {
      return entries.size;
    },
    async createEntries(list) {
      calls.create++;
      return list.map((e) => {
        const similar = [...entries.values()].find((x) => entryKey(x) === entryKey(e));
        if (similar) return { status: { code: StatusCode.ALREADY_EXISTS, message: 'similar entry already exists' }, entry: similar };
        const created = { ...e, id: `gen-${next++}` };
        entries.set(created.id, created);
        return { status: okStatus, entry: created };
      });
    },
    async updateEntries(list) {
      calls.update++;
      return list.map((e) => {
        if (!entries.has(e.id)) return { status: { code: StatusCode.NOT_FOUND, message: 'failed to update entry' } };
        entries.set(e.id, e);
        return { status: okStatus, entry: e };
      });
    },
    async deleteEntries(ids) {
      calls.delete++;
      return ids.map((id) => ({ id, status: entries.delete(id) ? okStatus : { code: StatusCode.NOT_FOUND, message: 'entry not found' } }));
    },
    async close() {},
  };
  return { store, entries, calls };
}

function view(nodes: Node[], pods: Pod[]): ClusterView & { pods: () => Pod[]; set(p: Pod[]): void } {
  let current = pods;
  return {
    nodes: () => nodes,
    pods: () => current,
    endpointSlices: () => [],
    node: (name) => nodes.find((n) => n.metadata.name === name),
    pod: (ns, name) => current.find((p) => p.metadata.namespace === ns && p.metadata.name === name),
    set(p) {
      current = p;
    },
  };
}

const clock = (): Clock & { t: number } => ({ t: 0, now() { return this.t; }, setTimer: () => ({ cancel() {} }) });
const silent = pino({ level: 'silent' });
const labelled = (name: string, value = name) => aPod({ name, namespace: 'default', nodeName: 'minikube', labels: { 'spire-workload': value } });

test('the first pass lists once, creates node and pod entries, deletes stale owned ones, keeps foreign ones', async () => {
  const foreign = { ...aPodEntry('default', 'x', 'x', { parentId: 'spiffe://example.org/someone' }), id: 'f' };
  const stale = { ...aPodEntry('default', 'gone', 'gone'), id: 's' };
  const { store, entries, calls } = fakeStore([foreign, stale]);
  const r = createReconciler({ store, view: view([aNode()], [labelled('web'), aPod({ name: 'plain' })]), config: cfg, log: silent, resyncIntervalMs: 10_000, clock: clock() });
  await r.runPass();
  assert.deepEqual(calls, { list: 1, create: 1, update: 0, delete: 1 });
  assert.deepEqual([...entries.values()].map((e) => e.spiffeId).sort(), [
    'spiffe://example.org/spire-k8s-registrar/k8stest/node/minikube',
    'spiffe://example.org/web',
    'spiffe://example.org/x',
  ].sort());
});

test('a full pass reads the EndpointSlices once, however many slices of objects it renders', async () => {
  const { store, entries } = fakeStore();
  const pods = Array.from({ length: 4_500 }, (_, i) => labelled(`w-${i}`));
  let reads = 0;
  const v = { ...view([aNode()], pods), endpointSlices: () => (reads++, []) };
  const r = createReconciler({ store, view: v, config: { ...cfg, addPodDnsNames: true }, log: silent, resyncIntervalMs: 10_000, clock: clock() });
  await r.runPass();
  assert.equal(entries.size, 4_501);
  assert.equal(reads, 1, 'three slices of pods (2,000 at a time), one read');
});

test('between resyncs an event reconciles its object from the index, without listing', async () => {
  const { store, entries, calls } = fakeStore();
  const c = clock();
  const v = view([aNode()], [labelled('a')]);
  const r = createReconciler({ store, view: v, config: cfg, log: silent, resyncIntervalMs: 10_000, clock: c });
  await r.runPass();
  v.set([labelled('a', 'relabelled'), labelled('b')]);
  r.markDirty('pod/default/a');
  r.markDirty('pod/default/b');
  c.t = 5_000;
  await r.runPass();
  assert.equal(calls.list, 1);
  assert.deepEqual([...entries.values()].map((e) => e.spiffeId).sort(), [
    'spiffe://example.org/b',
    'spiffe://example.org/relabelled',
    `${ROOT}/minikube`,
  ]);
  v.set([labelled('b')]);
  r.markDirty('pod/default/a');
  await r.runPass();
  assert.equal(calls.list, 1);
  assert.equal(entries.size, 2);
  assert.equal(r.index.size, 2);
});

test('a pass with nothing dirty before the resync is due does nothing; once due it lists again', async () => {
  const { store, calls } = fakeStore();
  const c = clock();
  const r = createReconciler({ store, view: view([aNode()], []), config: cfg, log: silent, resyncIntervalMs: 10_000, clock: c });
  await r.runPass();
  await r.runPass();
  assert.equal(calls.list, 1);
  c.t = 10_000;
  await r.runPass();
  assert.equal(calls.list, 2);
});

test('an entry deleted by hand in SPIRE comes back on the next full pass', async () => {
  const { store, entries } = fakeStore();
  const c = clock();
  const r = createReconciler({ store, view: view([aNode()], [labelled('web')]), config: cfg, log: silent, resyncIntervalMs: 10_000, clock: c });
  await r.runPass();
  const id = [...entries.values()].find((e) => e.spiffeId.endsWith('/web'))?.id as string;
  entries.delete(id);
  c.t = 10_000;
  await r.runPass();
  assert.ok([...entries.values()].some((e) => e.spiffeId === 'spiffe://example.org/web'));
});

test('a failed item fails the pass and makes the next pass list again', async () => {
  const f = fakeStore();
  const failing: EntryStore = {
    ...f.store,
    async createEntries(list) {
      return list.map(() => ({ status: { code: StatusCode.INVALID_ARGUMENT, message: 'nope' } }));
    },
  };
  const r = createReconciler({ store: failing, view: view([aNode()], []), config: cfg, log: silent, resyncIntervalMs: 10_000, clock: clock() });
  await assert.rejects(r.runPass(), /1 entry writes failed/);
  assert.equal(r.index.loaded, false);
  await assert.rejects(r.runPass());
  assert.equal(f.calls.list, 2);
});

test('a pod whose label makes no valid SPIFFE ID is reported once, not on every pass, and others still register', async () => {
  const { store, entries } = fakeStore();
  const lines: { msg: string; object?: string }[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  const c = clock();
  const r = createReconciler({ store, view: view([aNode()], [labelled('bad', 'spire'), labelled('good')]), config: cfg, log, resyncIntervalMs: 10, clock: c });
  await r.runPass();
  c.t = 100;
  await r.runPass();
  assert.deepEqual(lines.filter((l) => l.msg === 'Cannot render entry').map((l) => l.object), ['pod/default/bad']);
  assert.equal(entries.size, 2);
});

test('the next full pass is due one resync interval after the last one, however many event passes ran since', async () => {
  const { store } = fakeStore();
  const c = clock();
  const v = view([aNode()], []);
  const r = createReconciler({ store, view: v, config: cfg, log: silent, resyncIntervalMs: 10_000, clock: c });
  assert.equal(r.msUntilFullPass(), 0);
  await r.runPass();
  c.t = 4_000;
  v.set([labelled('a')]);
  r.markDirty('pod/default/a');
  await r.runPass();
  assert.equal(r.msUntilFullPass(), 6_000);
});

test('over a paging store, a full pass streams the pages into the index; an unchanged resync writes nothing and keeps the held entries', async () => {
  const core = await MemorySpireCore.create({ trustDomain: 'example.org' });
  const store = memoryEntryStore(core, { create: 50, update: 50, delete: 200, listPage: 2 });
  const [foreign] = await store.createEntries([aPodEntry('default', 'x', 'x', { parentId: 'spiffe://example.org/someone' })]);
  const c = clock();
  const v = view([aNode()], [labelled('a'), labelled('b'), labelled('c')]);
  const r = createReconciler({ store, view: v, config: cfg, log: silent, resyncIntervalMs: 10_000, clock: c });
  await r.runPass();
  assert.equal(r.index.size, 4);
  const held = r.index.entriesOf('pod/default/a')[0];
  core.resetCalls();
  c.t = 10_000;
  await r.runPass();
  const calls = core.calls();
  // 5 entries in pages of 2: three pages and SPIRE's closing empty one; no writes.
  assert.deepEqual([calls.ListEntries, calls.BatchCreateEntry, calls.BatchUpdateEntry, calls.BatchDeleteEntry], [4, 0, 0, 0]);
  assert.equal(r.index.entriesOf('pod/default/a')[0], held);
  assert.equal(r.index.size, 4);
  assert.ok(foreign?.entry && (await store.getEntry(foreign.entry.id)));
  // A changed pod is reconciled by the next full pass even without an event.
  v.set([labelled('a', 'a2'), labelled('b'), labelled('c')]);
  c.t = 20_000;
  await r.runPass();
  assert.deepEqual(r.index.entriesOf('pod/default/a').map((e) => e.spiffeId), ['spiffe://example.org/a2']);
});

test('a pod whose label makes no valid SPIFFE ID gets one Warning event per reason, not one per pass', async () => {
  const { store } = fakeStore();
  const c = clock();
  const v = view([aNode()], [labelled('web'), labelled('bad', 'spire')]);
  const events: RegistrarEvent[] = [];
  const r = createReconciler({ store, view: v, config: cfg, log: silent, resyncIntervalMs: 10_000, clock: c, recordEvent: (e) => events.push(e) });
  await r.runPass();
  c.t = 20_000;
  await r.runPass();
  r.markDirty('pod/default/bad');
  await r.runPass();
  assert.deepEqual(events.map((e) => [e.type, e.reason, `${e.regarding.kind}/${e.regarding.namespace}/${e.regarding.name}`]), [['Warning', 'InvalidSpiffeID', 'Pod/default/bad']]);
  assert.match(events[0]?.note ?? '', /label "spire-workload" value "spire" may not be a workload ID/);
  v.set([labelled('web'), labelled('bad', 'x y')]);
  r.markDirty('pod/default/bad');
  await r.runPass();
  assert.equal(events.length, 2, 'another reason, another event');
});

/** A store whose listing answers only when `open()` is called, with what the server held when it was asked. */
function heldListing(f: ReturnType<typeof fakeStore>) {
  let open: () => void = () => {};
  let gate = Promise.resolve();
  const writes: Array<() => void> = [];
  const wrote = () => writes.splice(0).forEach((w) => w());
  const store: EntryStore = {
    ...f.store,
    async listEntries(filter, o) {
      const snapshot = await f.store.listEntries(filter, o);
      await gate;
      return snapshot;
    },
    async createEntries(list, o) {
      const r = await f.store.createEntries(list, o);
      wrote();
      return r;
    },
    async deleteEntries(ids, o) {
      const r = await f.store.deleteEntries(ids, o);
      wrote();
      return r;
    },
  };
  return {
    store,
    hold() {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    open: () => open(),
    /** Resolves after the next create or delete call has returned. */
    nextWrite: () => new Promise<void>((resolve) => writes.push(resolve)),
  };
}

test('events during a resync listing are reconciled before the listing ends, and the resync then writes nothing more', async () => {
  const f = fakeStore();
  const h = heldListing(f);
  const c = clock();
  const v = view([aNode()], [labelled('a'), labelled('b')]);
  const r = createReconciler({ store: h.store, view: v, config: cfg, log: silent, resyncIntervalMs: 10_000, clock: c });
  await r.runPass();
  const bId = [...f.entries.values()].find((e) => e.spiffeId.endsWith('/b'))?.id;
  f.calls.create = 0;
  f.calls.delete = 0;

  c.t = 10_000;
  h.hold();
  let resyncDone = false;
  const resync = r.runPass().then(() => (resyncDone = true));
  // The listing has been asked for (the server's state taken); now b goes and c comes.
  v.set([labelled('a'), labelled('c')]);
  r.markDirty('pod/default/b');
  r.markDirty('pod/default/c');
  const deleted = h.nextWrite();
  r.eventsReady();
  await deleted;
  const created = h.nextWrite();
  await created;
  assert.equal(resyncDone, false, 'the listing is still held');
  assert.deepEqual(f.calls, { list: 2, create: 1, update: 0, delete: 1 });
  assert.ok([...f.entries.values()].some((e) => e.spiffeId === 'spiffe://example.org/c'));
  assert.ok(bId !== undefined && !f.entries.has(bId));

  h.open();
  await resync;
  // The listing still held b and lacked c; the writes made meanwhile were replayed onto it.
  assert.deepEqual(f.calls, { list: 2, create: 1, update: 0, delete: 1 });
  assert.deepEqual(r.index.entries().map((e) => e.spiffeId).sort(), ['spiffe://example.org/a', 'spiffe://example.org/c', `${ROOT}/minikube`]);
  assert.equal(r.index.loaded, true);
  c.t = 20_000;
  await r.runPass();
  assert.deepEqual(f.calls, { list: 3, create: 1, update: 0, delete: 1 });
});

test('events during a first listing wait for it (the index is not known to be right yet)', async () => {
  const f = fakeStore();
  const h = heldListing(f);
  const v = view([aNode()], [labelled('a')]);
  const r = createReconciler({ store: h.store, view: v, config: cfg, log: silent, resyncIntervalMs: 10_000, clock: clock() });
  h.hold();
  const first = r.runPass();
  v.set([labelled('a'), labelled('b')]);
  r.markDirty('pod/default/b');
  r.eventsReady();
  const written = h.nextWrite();
  h.open();
  await written;
  await first;
  // One create call for all three entries: nothing was written while the listing was held.
  assert.deepEqual(f.calls, { list: 1, create: 1, update: 0, delete: 0 });
  assert.equal(f.entries.size, 3);
});

test('a prefetched listing is taken over by the first pass (one ListEntries); a failed one is replaced by a fresh listing', async () => {
  const f = fakeStore([{ ...aPodEntry('default', 'gone', 'gone'), id: 's' }]);
  const h = heldListing(f);
  const r = createReconciler({ store: h.store, view: view([aNode()], [labelled('web')]), config: cfg, log: silent, resyncIntervalMs: 10_000, clock: clock() });
  h.hold();
  r.prefetch();
  assert.equal(f.calls.list, 1, 'the listing starts before any pass');
  r.prefetch();
  assert.equal(f.calls.list, 1, 'once');
  const pass = r.runPass();
  h.open();
  await pass;
  assert.deepEqual(f.calls, { list: 1, create: 1, update: 0, delete: 1 });
  r.prefetch();
  assert.equal(f.calls.list, 1, 'nothing to prefetch once the index is loaded');

  const g = fakeStore();
  let failures = 1;
  const flaky: EntryStore = {
    ...g.store,
    async listEntries(filter, o) {
      if (failures-- > 0) throw new Error('connect ENOENT');
      return g.store.listEntries(filter, o);
    },
  };
  const r2 = createReconciler({ store: flaky, view: view([aNode()], []), config: cfg, log: silent, resyncIntervalMs: 10_000, clock: clock() });
  r2.prefetch();
  await r2.runPass();
  assert.equal(g.calls.list, 1);
  assert.equal(g.entries.size, 1);
  assert.equal(r2.index.loaded, true);
});

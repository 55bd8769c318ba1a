// Sliced crd passes through the whole pass (crd-pass.ts with `changes`), against the in-memory SPIRE core
// and the fake SpiffeID writer: which passes are full (the summary line's `sliced`), and that sliced passes
// end where full passes alone end. The equivalence of the plans themselves is crd-slice.test.ts's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import * as v from 'valibot';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import type { EntryStore } from '../../adapters/entry-store.js';
import type { EndpointSlice } from '../../handlers/k8s/endpoint-slice.js';
import type { Node } from '../../handlers/k8s/node.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import { SpiffeIdSchema, type SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import { spiffeIdEntry } from '../../handlers/spiffeid/spiffeid-entry.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { anEndpointSlice } from '../../test/fixtures/endpoint-slices.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { manualClock } from '../../test/fixtures/manual-clock.js';
import { aRawSpiffeId, crdTestConfig } from '../../test/fixtures/spiffeid.js';
import { CrdEntries } from './crd-entries.js';
import { createCrdPass } from './crd-pass.js';
import { createCrdChanges, type CrdResource } from './crd-slice.js';
import { fakeSpiffeIdWriter, type FakeSpiffeIdWriter } from './spiffeid-writer.fake.js';

const config = crdTestConfig;
const RESYNC_MS = 10_000;

type Options = {
  readonly sliced: boolean;
  readonly markLimit?: number;
  readonly sliceShare?: number;
  readonly writer?: FakeSpiffeIdWriter;
  readonly store?: (s: EntryStore) => EntryStore;
  readonly createsPerPass?: number;
};

/** A cluster whose informers are maps: every change marks the object, as run-crd.ts wires the informers. */
async function cluster(o: Options) {
  const core = await MemorySpireCore.create({});
  const clock = manualClock();
  const writer = o.writer ?? fakeSpiffeIdWriter();
  const nodes = new Map<string, Node>([['minikube', aNode({ name: 'minikube' })]]);
  const pods = new Map<string, Pod>();
  const slices = new Map<string, EndpointSlice>();
  // The SpiffeID informer: the writer's objects, a changed one (by resourceVersion) replaced.
  let held = new Map<string, SpiffeId>();
  const maps: Record<CrdResource, Map<string, unknown>> = { nodes, pods, endpointslices: slices, spiffeids: held };
  const changes = createCrdChanges((r, k) => (r === 'spiffeids' ? held.get(k) : maps[r].get(k)), o.markLimit ?? 1000);
  const refresh = () => {
    const next = new Map<string, SpiffeId>();
    for (const raw of writer.objects()) {
      const s = v.parse(SpiffeIdSchema, raw);
      const k = `${s.metadata.namespace}/${s.metadata.name}`;
      const old = held.get(k);
      next.set(k, old && old.metadata.resourceVersion === s.metadata.resourceVersion ? old : s);
      if (next.get(k) !== old) changes.mark('spiffeids', k);
    }
    for (const k of held.keys()) if (!next.has(k)) changes.mark('spiffeids', k);
    held = next;
  };
  const set = <T>(r: CrdResource, m: Map<string, T>, k: string, x: T | undefined) => {
    if (x === undefined) m.delete(k);
    else m.set(k, x);
    changes.mark(r, k);
  };
  const templates = checkCrdTemplates({ ...config, dnsNameTemplates: ['{{.Pod.Name}}'] });
  assert.ok(templates.ok);
  const passes: { sliced: boolean; spiffeids: number }[] = [];
  /** SpiffeIDs each pass created, and those it left for later (createsPerPass). */
  const creates: { created: number; deferred: number }[] = [];
  /** SpiffeIDs whose status or finalizer writes each pass still remembered at its end (written-from.ts). */
  const guarded: number[] = [];
  let again = 0;
  const log = pino({ level: 'debug' }, {
    write: (line: string) => {
      const l = JSON.parse(line) as { msg: string; sliced: boolean; spiffeids: number; declared_created: number; declared_deferred?: number; guardedSpiffeIds: number };
      if (l.msg !== 'CRD pass done') return;
      passes.push({ sliced: l.sliced, spiffeids: l.spiffeids });
      creates.push({ created: l.declared_created, deferred: l.declared_deferred ?? 0 });
      guarded.push(l.guardedSpiffeIds);
    },
  });
  const plainStore = memoryEntryStore(core);
  const store = o.store ? o.store(plainStore) : plainStore;
  const entries = new CrdEntries({ store, clock, resyncIntervalMs: RESYNC_MS });
  const pass = createCrdPass({
    store,
    writer,
    entries,
    snapshot: () => ({ nodes: [...nodes.values()], pods: [...pods.values()], endpointSlices: [...slices.values()], spiffeIds: [...held.values()] }),
    config,
    templates: templates.templates,
    log,
    clock,
    ...(o.sliced ? { changes } : {}),
    ...(o.sliceShare !== undefined ? { sliceShare: o.sliceShare } : {}),
    ...(o.createsPerPass !== undefined ? { createsPerPass: o.createsPerPass } : {}),
    again: () => void again++,
  });
  const run = async () => {
    refresh();
    await pass(new AbortController().signal);
  };
  /** A pass before the watch brought the last pass's writes back (the informer still shows the old copies). */
  const runStale = async () => {
    await pass(new AbortController().signal);
  };
  const settle = async () => {
    for (let i = 0; i < 6; i++) await run();
  };
  const pod = (name: string, uid: string, path = name) =>
    set('pods', pods, `spire/${name}`, aPod({ name, namespace: 'spire', uid, nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': path } }));
  const entrySpiffeIds = () => core.entries().map(entryFromWire).map((e) => e.spiffeId).sort();
  return { core, clock, writer, nodes, pods, slices, entries, run, runStale, settle, pod, set, passes, creates, guarded, again: () => again, entrySpiffeIds, held: () => held };
}

test('the first pass is full; one after a pod event plans only its slice and writes its SpiffeID and entry', async () => {
  const c = await cluster({ sliced: true });
  c.pod('web-0', 'u-web');
  c.pod('db-0', 'u-db');
  await c.settle();
  assert.equal(c.passes[0]?.sliced, false);
  assert.ok(c.passes.slice(1).every((p) => p.sliced), JSON.stringify(c.passes));
  c.pod('api-0', 'u-api');
  c.passes.length = 0;
  await c.run();
  // The slice: the new pod's SpiffeID (made by this pass), not the four that exist.
  assert.deepEqual(c.passes, [{ sliced: true, spiffeids: 1 }]);
  assert.ok(c.entrySpiffeIds().includes('spiffe://example.org/api-0'));
});

test('a full pass follows a failed pass, an invalidate(), a due resync and too many changes; an EndpointSlice change is sliced', async () => {
  let failCreate = false;
  const base = fakeSpiffeIdWriter();
  const writer: FakeSpiffeIdWriter = {
    ...base,
    create: async (d, f) => {
      if (failCreate) throw new Error('API server says no');
      return base.create(d, f);
    },
  };
  const c = await cluster({ sliced: true, writer, markLimit: 3 });
  c.pod('web-0', 'u-web');
  await c.settle();
  const next = async () => {
    c.passes.length = 0;
    await c.run().catch(() => {});
    return c.passes[0]?.sliced;
  };
  assert.equal(await next(), true, 'nothing happened: sliced');

  failCreate = true;
  c.pod('a-0', 'u-a');
  assert.equal(await next(), true, 'the failing pass itself');
  failCreate = false;
  assert.equal(await next(), false, 'after a failed pass');
  assert.equal(await next(), true);

  c.entries.invalidate();
  assert.equal(await next(), false, 'after invalidate()');
  assert.equal(await next(), true);

  await c.clock.advance(RESYNC_MS);
  assert.equal(await next(), false, 'a due resync lists SPIRE');
  assert.equal(await next(), true);

  // An EndpointSlice is planned in a slice too: the pods it names get their service DNS name.
  c.set('endpointslices', c.slices, 'spire/web-a', anEndpointSlice({ service: 'web', namespace: 'spire', name: 'web-a', addresses: [{ pod: 'web-0', uid: 'u-web' }] }));
  assert.equal(await next(), true, 'an EndpointSlice changed');
  await c.settle();
  assert.deepEqual(c.held().get('spire/web-0')?.spec.dnsNames, ['web-0', 'web.spire.svc']);

  for (const n of ['b', 'c', 'd', 'e']) c.pod(`${n}-0`, `u-${n}`);
  assert.equal(await next(), false, 'more changes than the mark limit');
  // (Its own writes come back as more than three changes too.)
  await c.settle();
  assert.equal(await next(), true);
  assert.ok(c.entrySpiffeIds().includes('spiffe://example.org/e-0'));
});

test('a SPIRE write whose outcome is unknown makes the next pass full (it lists SPIRE again)', async () => {
  let fail = false;
  const c = await cluster({
    sliced: true,
    store: (s) => ({
      ...s,
      createEntries: async (es, o) => {
        if (fail) throw new Error('connection reset');
        return s.createEntries(es, o);
      },
    }),
  });
  c.pod('web-0', 'u-web');
  await c.settle();
  fail = true;
  c.pod('a-0', 'u-a');
  c.passes.length = 0;
  await c.run().catch(() => {});
  fail = false;
  await c.run();
  // The failed pass logs no summary; the next one is full.
  assert.deepEqual(c.passes.map((p) => p.sliced), [false]);
  assert.ok(c.entrySpiffeIds().includes('spiffe://example.org/a-0'));
});

/** What a cluster ends with, without the UIDs the fake writer numbers (entry IDs, owner UIDs). */
function outcome(c: Awaited<ReturnType<typeof cluster>>) {
  const entries = c.core.entries().map(entryFromWire).map((e) => JSON.stringify([e.spiffeId, e.parentId, [...e.selectors].map((s) => `${s.type}:${s.value}`).sort(), e.dnsNames]));
  const uidFree = (x: string) => x.replace(/fake-uid-\d+/g, 'uid');
  const spiffeIds = [...c.held().values()].map((s) =>
    uidFree(JSON.stringify([s.metadata.namespace, s.metadata.name, s.spec, s.metadata.finalizers, s.metadata.deletionTimestamp ?? null, (s.status.conditions ?? []).map((x) => [x.type, x.status, x.reason])])),
  );
  return { entries: entries.map(uidFree).sort(), spiffeIds: spiffeIds.sort() };
}

test('sliced passes, then a full pass, end where full passes alone end: take-over, masking, deletes, annotation edits', async () => {
  const script = async (c: Awaited<ReturnType<typeof cluster>>) => {
    for (let i = 0; i < 6; i++) c.pod(`w-${i}`, `u-w-${i}`);
    await c.settle();
    // A SpiffeID made by hand with a pod's name (taken over) and one duplicating a pod's entry (masked).
    await c.writer.create(
      { namespace: 'spire', name: 'w-6', labels: {}, owner: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'cm', controller: false }, spec: v.parse(SpiffeIdSchema, aRawSpiffeId({ name: 'w-6', namespace: 'spire', spiffeId: 'spiffe://example.org/squat', selector: { namespace: 'spire', podName: 'w-6' } })).spec },
      [],
    );
    const w1 = c.held().get('spire/w-1');
    assert.ok(w1);
    await c.writer.create({ namespace: 'spire', name: 'dup', labels: {}, owner: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'cm', controller: false }, spec: w1.spec }, []);
    await c.run();
    c.pod('w-6', 'u-w-6');
    c.set('pods', c.pods, 'spire/w-0', undefined);
    c.pod('w-2', 'u-w-2', 'renamed');
    await c.settle();
    // Kubernetes' garbage collector deletes the SpiffeID of the deleted pod (it is dying: our finalizer).
    const w0 = c.held().get('spire/w-0');
    if (w0) await c.writer.delete({ namespace: 'spire', name: 'w-0' }, w0.metadata.uid);
    c.pod('w-3', 'u-w-3b');
    await c.settle();
    // The pod whose entry masked the duplicate goes: the duplicate's entry is made.
    c.set('pods', c.pods, 'spire/w-1', undefined);
    const w1b = c.held().get('spire/w-1');
    if (w1b) await c.writer.delete({ namespace: 'spire', name: 'w-1' }, w1b.metadata.uid);
    await c.settle();
  };
  const sliced = await cluster({ sliced: true });
  const full = await cluster({ sliced: false });
  await script(sliced);
  await script(full);
  assert.ok(sliced.passes.filter((p) => p.sliced).length >= 10, 'the script ran sliced passes');
  assert.deepStrictEqual(outcome(sliced), outcome(full));
  assert.ok(outcome(full).entries.some((e) => e.includes('squat')) === false, 'the squatter was taken over');
  assert.ok(spiffeIdEntry(sliced.held().get('spire/dup') as SpiffeId).spiffeId === 'spiffe://example.org/w-1');
  // A full pass after the sliced ones finds nothing to write.
  await sliced.clock.advance(RESYNC_MS);
  const calls = sliced.writer.calls();
  const spire = sliced.core.calls();
  sliced.passes.length = 0;
  await sliced.run();
  assert.deepEqual(sliced.passes.map((p) => p.sliced), [false]);
  assert.deepEqual(sliced.writer.calls(), calls);
  assert.equal(sliced.core.calls().BatchCreateEntry, spire.BatchCreateEntry);
  assert.equal(sliced.core.calls().BatchUpdateEntry, spire.BatchUpdateEntry);
  assert.equal(sliced.core.calls().BatchDeleteEntry, spire.BatchDeleteEntry);
});

test('a sliced pass before the watch shows our status write does not write it again; a full pass does, once', async () => {
  const c = await cluster({ sliced: true });
  c.pod('web-0', 'u-web');
  await c.settle();
  c.writer.resetCalls();
  // The pod's SpiffeID, its entry and its status are written in one pass; the watch has not shown any yet.
  c.pod('api-0', 'u-api');
  await c.run();
  assert.deepEqual([c.writer.calls().create, c.writer.calls().writeStatus], [1, 1]);
  // Another event on the same pod (a duplicate) before the watch caught up: the copy the pass sees is the
  // one our status write was guarded by, so it is not written again (it would be a 409 and a GET).
  c.pod('api-0', 'u-api');
  await c.runStale();
  assert.equal(c.passes.at(-1)?.sliced, true);
  assert.deepEqual([c.writer.calls().writeStatus, c.writer.calls().conflicts], [1, 0]);
  assert.equal(c.guarded.at(-1), 1, 'the status write is remembered while the informer shows the copy it was guarded by');
  // The watch brings the new version: nothing to write, and the write is forgotten (not held to the next
  // full pass, which at a cold start would mean every status written).
  await c.run();
  assert.deepEqual([c.writer.calls().writeStatus, c.writer.calls().conflicts], [1, 0]);
  assert.equal(c.passes.at(-1)?.sliced, true);
  assert.equal(c.guarded.at(-1), 0);
  // A full pass forgets what was written: from a stale copy it writes again (at most once per resync).
  const before = c.writer.calls().writeStatus;
  c.pod('db-0', 'u-db');
  await c.runStale();
  c.entries.invalidate();
  await c.runStale();
  assert.equal(c.passes.at(-1)?.sliced, false);
  assert.equal(c.writer.calls().writeStatus, before + 2, 'db-0 once in its own pass, again in the full pass from the stale copy');
});

test('a slice reaching more than the limit makes the pass full, and that pass covers what was marked; a larger share slices it', async () => {
  // An EndpointSlice naming 60 pods re-indexes all of them: each is about five units (owner, name, key,
  // entry, UID), ~300 in all, past the 256 floor of the limit (5 x 0.25 x ~121 objects is below it).
  const run = async (sliceShare: number) => {
    const c = await cluster({ sliced: true, sliceShare, markLimit: 10_000 });
    const names = Array.from({ length: 60 }, (_, i) => `web-${i}`);
    for (const n of names) c.pod(n, `u-${n}`);
    await c.settle();
    c.passes.length = 0;
    c.set('endpointslices', c.slices, 'spire/web-a', anEndpointSlice({ service: 'web', namespace: 'spire', name: 'web-a', addresses: names.map((n) => ({ pod: n, uid: `u-${n}` })) }));
    await c.run();
    const first = c.passes[0]?.sliced;
    await c.settle();
    // Whichever way the pass ran, every pod the EndpointSlice names got its service DNS name.
    const missing = names.filter((n) => JSON.stringify(c.held().get(`spire/${n}`)?.spec.dnsNames) !== JSON.stringify([n, 'web.spire.svc']));
    return { first, missing };
  };
  assert.deepEqual(await run(0.25), { first: false, missing: [] }, 'past the limit: a full pass');
  assert.deepEqual(await run(1), { first: true, missing: [] }, 'within 5 x 1 x the objects: sliced');
});

test('the entries a pass wrote seed the next slice: a masked duplicate gets its entry in the next pass, before the watch shows its status', async () => {
  const c = await cluster({ sliced: true });
  c.pod('w-0', 'u-w-0');
  c.pod('w-1', 'u-w-1');
  await c.settle();
  // A SpiffeID made by hand with w-1's spec: masked by w-1's entry (DuplicateEntry).
  const w1 = c.held().get('spire/w-1');
  assert.ok(w1);
  await c.writer.create({ namespace: 'spire', name: 'dup', labels: {}, owner: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'cm', controller: false }, spec: w1.spec }, []);
  await c.settle();
  assert.equal(c.entrySpiffeIds().filter((x) => x === 'spiffe://example.org/w-1').length, 1);
  // The pod goes and the garbage collector deletes its SpiffeID: this pass deletes w-1's entry, which
  // leaves the key free for the duplicate (refused in this pass: the entry was still there when planned).
  c.set('pods', c.pods, 'spire/w-1', undefined);
  await c.writer.delete({ namespace: 'spire', name: 'w-1' }, w1.metadata.uid);
  await c.run();
  assert.ok(!c.entrySpiffeIds().includes('spiffe://example.org/w-1'), 'the pass deleted the entry and did not create the duplicate\'s');
  // The next pass runs on another event before the watch shows any of that pass's writes: only the seeds of
  // the deleted entry bring the duplicate into the slice.
  c.passes.length = 0;
  c.pod('w-0', 'u-w-0', 'w-0-renamed');
  await c.runStale();
  assert.deepEqual(c.passes.map((p) => p.sliced), [true]);
  assert.ok(c.entrySpiffeIds().includes('spiffe://example.org/w-1'), 'the duplicate got its entry');
});

for (const sliced of [true, false]) {
  test(`a pass creates at most createsPerPass SpiffeIDs and asks for another; the passes it asks for create the rest (sliced: ${sliced})`, async () => {
    const c = await cluster({ sliced, createsPerPass: 2 });
    for (let i = 0; i < 5; i++) c.pod(`web-${i}`, `u-web-${i}`);
    // The node's SpiffeID and five pods' SpiffeIDs: three passes of two, each asked for by the one before.
    await c.run();
    let asked = c.again();
    for (let guard = 0; asked > c.passes.length - 1 && guard < 10; guard++) {
      await c.run();
      asked = c.again();
    }
    // A sliced pass sees only the owners the pass before marked for it; a full pass sees all that wait.
    const expected = sliced ? [[2, 4], [2, 0], [2, 0]] : [[2, 4], [2, 2], [2, 0]];
    assert.deepEqual(c.creates, expected.map(([created, deferred]) => ({ created, deferred })));
    assert.equal(c.again(), 2, 'the last pass asks for none');
    assert.deepEqual(c.passes.map((p) => p.sliced), sliced ? [false, true, true] : [false, false, false]);
    assert.deepEqual(c.entrySpiffeIds(), [
      'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube',
      ...Array.from({ length: 5 }, (_, i) => `spiffe://example.org/web-${i}`),
    ].sort());
    // Nothing left: the next pass writes nothing and asks for nothing.
    await c.run();
    assert.deepEqual(c.creates.at(-1), { created: 0, deferred: 0 });
    assert.equal(c.again(), 2);
  });
}

test('creates that keep failing go after the others, so they never hold back the rest of the cluster (createsPerPass)', async () => {
  const base = fakeSpiffeIdWriter();
  // Say their namespace is terminating: every create of these two is refused; web-4's first create meets
  // an API server restart, and must not then wait behind the two that keep failing.
  const refused = new Set(['web-0', 'web-1']);
  const blip = new Set(['web-4']);
  const writer: FakeSpiffeIdWriter = {
    ...base,
    create: async (d, f) => {
      if (refused.has(d.owner.name)) throw new Error('forbidden: namespace is being terminated');
      if (blip.delete(d.owner.name)) throw new Error('503 Service Unavailable');
      return base.create(d, f);
    },
  };
  const c = await cluster({ sliced: true, writer, createsPerPass: 2 });
  for (let i = 0; i < 5; i++) c.pod(`web-${i}`, `u-web-${i}`);
  for (let i = 0; i < 6; i++) await c.run().catch(() => {});
  // Each pass that created some and left some asked for the next at once, failed or not; none that made
  // no progress did (that would loop without end while the two keep failing).
  assert.equal(c.again(), 4);
  assert.deepEqual(c.entrySpiffeIds(), [
    'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube',
    'spiffe://example.org/web-2',
    'spiffe://example.org/web-3',
    'spiffe://example.org/web-4',
  ]);
  // Still tried: once they can be created, they are.
  refused.clear();
  for (let i = 0; i < 3; i++) await c.run();
  assert.equal(c.entrySpiffeIds().length, 6);
});

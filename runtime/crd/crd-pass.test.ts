// The crd pass against the in-memory SPIRE core and the fake SpiffeID writer (no sockets): passes are run
// until nothing changes, then the final SpiffeIDs and entries are checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import * as v from 'valibot';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import type { EndpointSlice } from '../../handlers/k8s/endpoint-slice.js';
import type { RegistrarEvent } from '../../handlers/events/registrar-event.js';
import { SpiffeIdSchema } from '../../handlers/spiffeid/spiffeid.js';
import { spiffeIdEntry } from '../../handlers/spiffeid/spiffeid-entry.js';
import { STAND_IN_SELECTOR } from '../../handlers/spiffeid-reconcile/legacy-migration.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { anEndpointSlice } from '../../test/fixtures/endpoint-slices.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { crdTestConfig } from '../../test/fixtures/spiffeid.js';
import { manualClock } from '../../test/fixtures/manual-clock.js';
import { systemClock } from '../clock.js';
import { createCrdPass } from './crd-pass.js';
import { fakeSpiffeIdWriter } from './spiffeid-writer.fake.js';

const config = crdTestConfig;

async function world() {
  const core = await MemorySpireCore.create({});
  const state = {
    nodes: [aNode({ name: 'minikube' })],
    pods: [aPod({ name: 'web-0', namespace: 'spire', uid: 'u-web', annotations: { 'spiffe.io/spiffe-id': 'web' } })],
    endpointSlices: [] as EndpointSlice[],
  };
  return worldWith({ core, state }, fakeSpiffeIdWriter());
}

/** The same cluster state and SPIRE server, with another writer (e.g. seeded with user-made objects). */
async function worldWith(
  { core, state }: { core: MemorySpireCore; state: { nodes: ReturnType<typeof aNode>[]; pods: ReturnType<typeof aPod>[]; endpointSlices: EndpointSlice[] } },
  writer: ReturnType<typeof fakeSpiffeIdWriter>,
  recordEvent?: (e: RegistrarEvent) => void,
) {
  const templates = checkCrdTemplates({ ...config, dnsNameTemplates: ['{{.Pod.Name}}'] });
  assert.ok(templates.ok);
  const pass = createCrdPass({
    store: memoryEntryStore(core),
    writer,
    snapshot: () => ({ ...state, spiffeIds: writer.objects().map((o) => v.parse(SpiffeIdSchema, o)) }),
    config,
    templates: templates.templates,
    log: pino({ level: 'silent' }),
    clock: systemClock,
    ...(recordEvent ? { recordEvent } : {}),
  });
  const settle = async () => {
    for (let i = 0; i < 6; i++) await pass(new AbortController().signal);
  };
  const entries = () => core.entries().map(entryFromWire);
  return { core, writer, state, pass, settle, entries };
}

test('declares node and pod SpiffeIDs and one entry each, and a further pass changes nothing', async () => {
  const w = await world();
  await w.settle();
  assert.deepEqual(w.entries().map((e) => e.spiffeId).sort(), [
    'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube',
    'spiffe://example.org/web',
  ]);
  const before = JSON.stringify(w.writer.objects());
  const calls = w.core.calls();
  await w.settle();
  assert.equal(JSON.stringify(w.writer.objects()), before);
  assert.equal(w.core.calls().BatchCreateEntry, calls.BatchCreateEntry);
  assert.equal(w.core.calls().BatchUpdateEntry, calls.BatchUpdateEntry);
});

test('add_svc_dns_name: a Service in front of the pod adds <svc>.<ns>.svc, removed with its EndpointSlices', async () => {
  const w = await world();
  await w.settle();
  w.state.endpointSlices = [anEndpointSlice({ service: 'web', namespace: 'spire', addresses: [{ pod: 'web-0', uid: 'u-web' }] })];
  await w.settle();
  const web = () => w.entries().find((e) => e.spiffeId === 'spiffe://example.org/web');
  assert.deepEqual(web()?.dnsNames, ['web-0', 'web.spire.svc']);
  const id = web()?.id;
  w.state.endpointSlices = [];
  await w.settle();
  assert.deepEqual(web()?.dnsNames, ['web-0']);
  assert.equal(web()?.id, id, 'updated in place');
});

test('removing the annotation of a live pod deletes its SpiffeID and entry', async () => {
  const w = await world();
  await w.settle();
  w.state.pods = [aPod({ name: 'web-0', namespace: 'spire', uid: 'u-web' })];
  await w.settle();
  assert.deepEqual(w.entries().map((e) => e.spiffeId), ['spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube']);
  assert.deepEqual(w.writer.objects().map((o) => (o.metadata as { name: string }).name), ['minikube']);
});

test('writes per SpiffeID from cold: one create (finalizer included) and one status write, no finalizer write, no conflicts', async () => {
  const w = await world();
  w.state.pods = Array.from({ length: 40 }, (_, i) =>
    aPod({ name: `web-${i}`, namespace: 'spire', uid: `u-${i}`, annotations: { 'spiffe.io/spiffe-id': `web-${i}` } }),
  );
  await w.settle();
  const n = w.writer.objects().length;
  assert.equal(n, 41, '40 pods and the node');
  assert.equal(w.entries().length, 41);
  assert.deepEqual(w.writer.calls(), { create: n, update: 0, delete: 0, addFinalizer: 0, releaseFinalizer: 0, writeStatus: n, conflicts: 0 });
  for (const o of w.writer.objects()) assert.deepEqual((o.metadata as { finalizers: string[] }).finalizers, ['finalizers.spiffeid.spiffe.io']);
});

test('a SpiffeID made by a user gets the finalizer added once; deleting it releases the finalizer after the entry delete', async () => {
  const w = await world();
  await w.settle();
  const user = {
    apiVersion: 'spiffeid.spiffe.io/v1beta1',
    kind: 'SpiffeID',
    metadata: { name: 'mine', namespace: 'spire', labels: {} },
    spec: { parentId: 'spiffe://example.org/spire/server', spiffeId: 'spiffe://example.org/mine', selector: { podUid: 'u-mine', namespace: 'spire' } },
  };
  const seeded = fakeSpiffeIdWriter([...w.writer.objects(), { ...user, metadata: { ...user.metadata, uid: 'user-1' } }]);
  const w2 = await worldWith(w, seeded);
  await w2.settle();
  assert.ok(w2.entries().some((e) => e.spiffeId === 'spiffe://example.org/mine'));
  assert.equal(seeded.calls().addFinalizer, 1);
  await seeded.delete({ namespace: 'spire', name: 'mine' }, 'user-1');
  seeded.resetCalls();
  await w2.settle();
  assert.ok(!w2.entries().some((e) => e.spiffeId === 'spiffe://example.org/mine'), 'entry deleted');
  assert.ok(!seeded.objects().some((o) => (o.metadata as { name: string }).name === 'mine'), 'finalizer released, object gone');
  assert.equal(seeded.calls().releaseFinalizer, 1);
});

test('one failing write does not stop the others; the pass fails and the next one retries it', async () => {
  const w = await world();
  w.state.pods = Array.from({ length: 10 }, (_, i) =>
    aPod({ name: `web-${i}`, namespace: 'spire', uid: `u-${i}`, annotations: { 'spiffe.io/spiffe-id': `web-${i}` } }),
  );
  let failOnce = true;
  const create = w.writer.create.bind(w.writer);
  w.writer.create = async (d, f) => {
    if (d.name === 'web-3' && failOnce) {
      failOnce = false;
      throw new Error('API server said no');
    }
    return create(d, f);
  };
  await assert.rejects(w.pass(new AbortController().signal), /1 writes failed/);
  assert.equal(w.writer.objects().length, 10, 'the node and 9 pods: all but the failed one');
  assert.equal(w.entries().length, 10, 'the SpiffeIDs that were created got their entries in the same pass');
  await w.settle();
  assert.equal(w.writer.objects().length, 11);
  assert.equal(w.entries().length, 11);
});

test('events: EntryCreated/EntryUpdated/EntryDeleted on the SpiffeID with the entry ID, InvalidSpiffeID, and one Warning per pod problem', async () => {
  const w0 = await world();
  const events: RegistrarEvent[] = [];
  const w = await worldWith(w0, w0.writer, (e) => events.push(e));
  const seen = () => events.splice(0).map((e) => `${e.type} ${e.reason} ${e.regarding.kind}/${e.regarding.name}`).sort();
  await w.settle();
  assert.deepEqual(seen(), ['Normal EntryCreated SpiffeID/minikube', 'Normal EntryCreated SpiffeID/web-0']);
  const webId = w.entries().find((e) => e.spiffeId === 'spiffe://example.org/web')?.id ?? '';

  // A Service adds a DNS name: an update in place.
  w.state.endpointSlices = [anEndpointSlice({ service: 'web', namespace: 'spire', addresses: [{ pod: 'web-0', uid: 'u-web' }] })];
  await w.settle();
  const updated = events.find((e) => e.reason === 'EntryUpdated');
  assert.equal(updated?.note, `Updated SPIRE entry ${webId}`);
  assert.deepEqual(seen(), ['Normal EntryUpdated SpiffeID/web-0']);

  // A pod whose annotation makes no valid SPIFFE ID: one Warning, not one per pass.
  w.state.pods = [...w.state.pods, aPod({ name: 'bad-0', namespace: 'spire', uid: 'u-bad', annotations: { 'spiffe.io/spiffe-id': 'a//b' } })];
  await w.settle();
  await w.settle();
  const warnings = events.filter((e) => e.regarding.kind === 'Pod');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]?.note ?? '', /annotation "spiffe\.io\/spiffe-id" value "a\/\/b" does not make a valid SPIFFE ID/);
  assert.deepEqual(seen(), ['Warning InvalidSpiffeID Pod/bad-0']);

  // A SpiffeID that breaks a rule: a Warning with the rule; its entry goes.
  const user = {
    apiVersion: 'spiffeid.spiffe.io/v1beta1',
    kind: 'SpiffeID',
    metadata: { name: 'mine', namespace: 'spire', uid: 'user-1', labels: {} },
    spec: { parentId: 'spiffe://example.org/spire/server', spiffeId: 'spiffe://elsewhere.org/mine', selector: { podUid: 'u-mine', namespace: 'spire' } },
  };
  const seeded = fakeSpiffeIdWriter([...w.writer.objects(), user]);
  const w2 = await worldWith(w, seeded, (e) => events.push(e));
  await w2.settle();
  const invalid = events.filter((e) => e.reason === 'InvalidSpiffeID' && e.regarding.kind === 'SpiffeID');
  assert.equal(invalid.length, 1);
  assert.equal(invalid[0]?.regarding.uid, 'user-1');
  assert.equal(invalid[0]?.type, 'Warning');
  events.splice(0);

  // The pod goes and the garbage collector deletes its SpiffeID: the finalizer deletes the entry.
  w2.state.pods = w2.state.pods.filter((p) => p.metadata.name !== 'web-0');
  const web = seeded.objects().find((o) => (o.metadata as { name: string }).name === 'web-0')?.metadata as { uid: string };
  await seeded.delete({ namespace: 'spire', name: 'web-0' }, web.uid);
  await w2.settle();
  assert.deepEqual(seen(), ['Normal EntryDeleted SpiffeID/web-0']);
});

/** One pass over a SPIRE server and cluster in sync, then a pod appears. */
async function inSyncThenNewPod() {
  const w = await world();
  await w.settle();
  w.writer.resetCalls();
  const creates = w.core.calls().BatchCreateEntry;
  w.state.pods = [...w.state.pods, aPod({ name: 'api-0', namespace: 'spire', uid: 'u-api', annotations: { 'spiffe.io/spiffe-id': 'api' } })];
  return { w, creates };
}

test('a new pod gets its entry in the pass that creates its SpiffeID, and the status patch carries the created resourceVersion', async () => {
  const { w, creates } = await inSyncThenNewPod();
  const statusTargets: { name: string; resourceVersion: string | undefined }[] = [];
  const writeStatus = w.writer.writeStatus.bind(w.writer);
  w.writer.writeStatus = async (t, st) => {
    statusTargets.push({ name: t.name, resourceVersion: t.resourceVersion });
    return writeStatus(t, st);
  };
  let createdVersion: string | undefined;
  const create = w.writer.create.bind(w.writer);
  w.writer.create = async (d, f) => {
    const stored = await create(d, f);
    createdVersion = stored?.metadata.resourceVersion;
    return stored;
  };

  await w.pass(new AbortController().signal);

  const api = w.writer.objects().find((o) => (o.metadata as { name: string }).name === 'api-0') as { metadata: { uid: string }; status: { entryId: string } };
  const entry = w.entries().find((e) => e.spiffeId === 'spiffe://example.org/api');
  assert.ok(entry, 'the entry is in SPIRE after one pass');
  assert.equal(entry.id, `k8s-workload-registrar.k8stest.${api.metadata.uid}`, 'named by the UID the API server gave the SpiffeID');
  assert.equal(api.status.entryId, entry.id, 'status written in the same pass');
  assert.equal(w.core.calls().BatchCreateEntry - creates, 1);
  assert.ok(createdVersion);
  assert.deepEqual(statusTargets, [{ name: 'api-0', resourceVersion: createdVersion }]);
  assert.deepEqual(w.writer.calls(), { create: 1, update: 0, delete: 0, addFinalizer: 0, releaseFinalizer: 0, writeStatus: 1, conflicts: 0 });

  // The watch brings the SpiffeID back: the next pass finds nothing to write.
  const after = w.core.calls();
  await w.pass(new AbortController().signal);
  assert.equal(w.core.calls().BatchCreateEntry, after.BatchCreateEntry);
  assert.equal(w.writer.calls().writeStatus, 1);
});

test('from cold, one pass creates every SpiffeID and every entry', async () => {
  const w = await world();
  w.state.pods = Array.from({ length: 20 }, (_, i) => aPod({ name: `web-${i}`, namespace: 'spire', uid: `u-${i}`, annotations: { 'spiffe.io/spiffe-id': `web-${i}` } }));
  await w.pass(new AbortController().signal);
  assert.equal(w.entries().length, 21);
  assert.equal(w.core.calls().BatchCreateEntry, 1);
  for (const o of w.writer.objects()) assert.match((o as { status: { entryId: string } }).status.entryId, /^k8s-workload-registrar\.k8stest\./);
});

test('a create answered without the object (name taken, or an answer that does not parse): the entry comes one pass later', async () => {
  const { w } = await inSyncThenNewPod();
  const create = w.writer.create.bind(w.writer);
  w.writer.create = async (d, f) => {
    await create(d, f);
    return undefined;
  };
  await w.pass(new AbortController().signal);
  assert.ok(!w.entries().some((e) => e.spiffeId === 'spiffe://example.org/api'));
  await w.pass(new AbortController().signal);
  assert.ok(w.entries().some((e) => e.spiffeId === 'spiffe://example.org/api'));
});

test('SPIRE refusing the entry create of a just-created SpiffeID fails the pass; the retry converges without a second SpiffeID', async () => {
  const { w } = await inSyncThenNewPod();
  w.core.faults.failNext('BatchCreateEntry', 1, StatusCode.UNAVAILABLE);
  await assert.rejects(w.pass(new AbortController().signal));
  assert.ok(!w.entries().some((e) => e.spiffeId === 'spiffe://example.org/api'));
  const api = () => w.writer.objects().find((o) => (o.metadata as { name: string }).name === 'api-0') as { status?: { entryId?: string } } | undefined;
  assert.ok(api(), 'the SpiffeID exists');
  assert.equal(api()?.status?.entryId, undefined, 'no status for an entry SPIRE does not hold');
  await w.settle();
  assert.equal(w.entries().filter((e) => e.spiffeId === 'spiffe://example.org/api').length, 1);
  assert.equal(w.writer.calls().create, 1);
  assert.match(api()?.status?.entryId ?? '', /^k8s-workload-registrar\.k8stest\./);
});

test('one pass: SpiffeID writes, then every SPIRE write, then statuses and finalizer releases', async () => {
  const { w } = await inSyncThenNewPod();
  const db = aPod({ name: 'db-0', namespace: 'spire', uid: 'u-db', annotations: { 'spiffe.io/spiffe-id': 'db' } });
  w.state.pods = [...w.state.pods, db];
  await w.settle();
  // A Service in front of db-0: its entry gets a DNS name (an update).
  w.state.endpointSlices = [anEndpointSlice({ service: 'db', namespace: 'spire', addresses: [{ pod: 'db-0', uid: 'u-db' }] })];
  // A new pod: SpiffeID, entry, status.
  w.state.pods = [...w.state.pods, aPod({ name: 'cache-0', namespace: 'spire', uid: 'u-cache', annotations: { 'spiffe.io/spiffe-id': 'cache' } })];
  // web-0 goes: the garbage collector marks its SpiffeID deleted (the finalizer holds it).
  w.state.pods = w.state.pods.filter((p) => p.metadata.name !== 'web-0');
  const web = w.writer.objects().find((o) => (o.metadata as { name: string }).name === 'web-0')?.metadata as { uid: string };
  await w.writer.delete({ namespace: 'spire', name: 'web-0' }, web.uid);

  const order: string[] = [];
  const store = memoryEntryStore(w.core);
  const recorded = {
    ...store,
    createEntries: (...a: Parameters<typeof store.createEntries>) => (order.push('spire create'), store.createEntries(...a)),
    deleteEntries: (...a: Parameters<typeof store.deleteEntries>) => (order.push('spire delete'), store.deleteEntries(...a)),
    updateEntries: (...a: Parameters<typeof store.updateEntries>) => (order.push('spire update'), store.updateEntries(...a)),
  };
  const writer = w.writer;
  const recordingWriter = {
    ...writer,
    create: (...a: Parameters<typeof writer.create>) => (order.push('create SpiffeID'), writer.create(...a)),
    writeStatus: (...a: Parameters<typeof writer.writeStatus>) => (order.push('status'), writer.writeStatus(...a)),
    releaseFinalizer: (...a: Parameters<typeof writer.releaseFinalizer>) => (order.push('release'), writer.releaseFinalizer(...a)),
  };
  const templates = checkCrdTemplates({ ...config, dnsNameTemplates: ['{{.Pod.Name}}'] });
  assert.ok(templates.ok);
  const pass = createCrdPass({
    store: recorded,
    writer: recordingWriter,
    snapshot: () => ({ ...w.state, spiffeIds: writer.objects().map((o) => v.parse(SpiffeIdSchema, o)) }),
    config,
    templates: templates.templates,
    log: pino({ level: 'silent' }),
    clock: systemClock,
  });
  await pass(new AbortController().signal);
  assert.deepEqual(order.slice(0, 4), ['create SpiffeID', 'spire delete', 'spire create', 'spire update']);
  assert.deepEqual(order.slice(4).sort(), ['release', 'status']);
  assert.deepEqual(w.entries().find((e) => e.spiffeId === 'spiffe://example.org/db')?.dnsNames, ['db-0', 'db.spire.svc']);
  assert.ok(w.entries().some((e) => e.spiffeId === 'spiffe://example.org/cache'));
  assert.ok(!w.entries().some((e) => e.spiffeId === 'spiffe://example.org/web'));
  assert.ok(!w.writer.objects().some((o) => (o.metadata as { name: string }).name === 'web-0'), 'finalizer released, object gone');
});

test('a pass that starts before the watch shows our own create neither creates the SpiffeID again nor deletes its entry; one never shown is taken as gone after createdVisibleWithinMs', async () => {
  const core = await MemorySpireCore.create({});
  const state = {
    nodes: [aNode({ name: 'minikube' })],
    pods: [aPod({ name: 'web-0', namespace: 'spire', uid: 'u-web', annotations: { 'spiffe.io/spiffe-id': 'web' } })],
    endpointSlices: [] as EndpointSlice[],
  };
  const writer = fakeSpiffeIdWriter();
  const templates = checkCrdTemplates({ ...config, dnsNameTemplates: [] });
  assert.ok(templates.ok);
  const clock = manualClock();
  let hidden = new Set(['web-0']); // names the informer has not shown yet
  const pass = createCrdPass({
    store: memoryEntryStore(core),
    writer,
    snapshot: () => ({
      ...state,
      spiffeIds: writer.objects().map((o) => v.parse(SpiffeIdSchema, o)).filter((s) => !hidden.has(s.metadata.name)),
    }),
    config,
    templates: templates.templates,
    log: pino({ level: 'silent' }),
    clock,
    createdVisibleWithinMs: 10_000,
  });
  const entryOf = (id: string) => core.entries().map(entryFromWire).find((e) => e.spiffeId === `spiffe://example.org/${id}`);

  await pass(new AbortController().signal);
  const made = entryOf('web');
  assert.ok(made, 'the entry is made in the pass that creates the SpiffeID');
  await clock.advance(1_000);
  await pass(new AbortController().signal);
  await pass(new AbortController().signal);
  assert.equal(writer.calls().create, 2, 'the node and the pod SpiffeID, each created once');
  assert.equal(entryOf('web')?.id, made.id, 'the entry is not taken for an orphan while the watch lags');

  // The watch catches up: nothing to write.
  hidden = new Set();
  const deletes = core.calls().BatchDeleteEntry ?? 0;
  await pass(new AbortController().signal);
  assert.equal(core.calls().BatchDeleteEntry ?? 0, deletes);

  // A SpiffeID the informer never shows (its pod gone and the SpiffeID collected between two snapshots):
  // its entry stays within the bound, then goes.
  hidden = new Set(['api-0']);
  state.pods = [...state.pods, aPod({ name: 'api-0', namespace: 'spire', uid: 'u-api', annotations: { 'spiffe.io/spiffe-id': 'api' } })];
  await pass(new AbortController().signal);
  assert.ok(entryOf('api'), 'made in the creating pass');
  state.pods = state.pods.filter((p) => p.metadata.name !== 'api-0');
  await clock.advance(9_000);
  await pass(new AbortController().signal);
  assert.ok(entryOf('api'), 'kept while the watch may still be behind');
  await clock.advance(1_000);
  await pass(new AbortController().signal);
  assert.equal(entryOf('api'), undefined, 'deleted once the bound has passed');
  assert.equal(entryOf('web')?.id, made.id, 'the shown SpiffeID keeps its entry');
});

/** A user's SpiffeID holding an entry the Go registrar made (random ID, status.entryId names it). */
async function withLegacyEntry() {
  const w0 = await world();
  await w0.settle();
  const user = {
    apiVersion: 'spiffeid.spiffe.io/v1beta1',
    kind: 'SpiffeID',
    metadata: { name: 'mine', namespace: 'spire', uid: 'user-1', labels: {}, finalizers: ['finalizers.spiffeid.spiffe.io'] },
    spec: { parentId: 'spiffe://example.org/spire/server', spiffeId: 'spiffe://example.org/mine', selector: { podUid: 'u-mine', namespace: 'spire' } },
    status: { entryId: '4e6c3bd5-legacy' },
  };
  const writer = fakeSpiffeIdWriter([...w0.writer.objects(), user]);
  const legacy = { ...spiffeIdEntry(v.parse(SpiffeIdSchema, user)), id: '4e6c3bd5-legacy', admin: true };
  const [made] = await memoryEntryStore(w0.core).createEntries([legacy]);
  assert.equal(made?.status.code, StatusCode.OK);
  const w = await worldWith(w0, writer);
  const mine = () => writer.objects().find((o) => (o.metadata as { name: string }).name === 'mine') as { spec: Record<string, unknown>; status: { entryId: string } };
  /** Entries that issue this SPIFFE ID to some workload (a stand-in matches none). */
  const issuing = (id: string) => w.entries().filter((e) => e.spiffeId === id && !e.selectors.some((s) => s.type === STAND_IN_SELECTOR.type));
  return { w, writer, legacy, mine, issuing };
}

test('differs from the original: an adopted legacy entry moves to our own ID, so a later spec edit updates it and nothing keeps issuing the old identity', async () => {
  const { w, writer, legacy, mine, issuing } = await withLegacyEntry();
  await w.settle();
  const ours = 'k8s-workload-registrar.k8stest.user-1';
  assert.deepEqual(issuing('spiffe://example.org/mine').map((e) => [e.id, e.admin]), [[ours, false]]);
  assert.ok(!w.entries().some((e) => e.id === legacy.id), 'the legacy entry is gone');
  assert.equal(mine().status.entryId, ours);

  // The user edits the spec: our entry follows, in place; the old identity is issued by nothing.
  const edited = { ...mine(), spec: { ...mine().spec, spiffeId: 'spiffe://example.org/mine-v2' } };
  const w2 = await worldWith(w, fakeSpiffeIdWriter([...writer.objects().filter((o) => (o.metadata as { name: string }).name !== 'mine'), edited]));
  await w2.settle();
  assert.deepEqual(issuing('spiffe://example.org/mine'), []);
  assert.deepEqual(issuing('spiffe://example.org/mine-v2').map((e) => e.id), [ours]);
});

test('moving a legacy entry: after every SPIRE call some entry issues the identity; a failed step is taken up by the next pass', async () => {
  const { w, writer, legacy, mine, issuing } = await withLegacyEntry();
  const store = memoryEntryStore(w.core);
  const counts: number[] = [];
  const check = <T>(r: T) => {
    counts.push(issuing('spiffe://example.org/mine').length);
    return r;
  };
  const watched = {
    ...store,
    createEntries: (...a: Parameters<typeof store.createEntries>) => store.createEntries(...a).then(check, (e) => Promise.reject(check(e))),
    updateEntries: (...a: Parameters<typeof store.updateEntries>) => store.updateEntries(...a).then(check, (e) => Promise.reject(check(e))),
    deleteEntries: (...a: Parameters<typeof store.deleteEntries>) => store.deleteEntries(...a).then(check, (e) => Promise.reject(check(e))),
  };
  const templates = checkCrdTemplates({ ...config, dnsNameTemplates: ['{{.Pod.Name}}'] });
  assert.ok(templates.ok);
  const pass = createCrdPass({
    store: watched,
    writer,
    snapshot: () => ({ ...w.state, spiffeIds: writer.objects().map((o) => v.parse(SpiffeIdSchema, o)) }),
    config,
    templates: templates.templates,
    log: pino({ level: 'silent' }),
    clock: systemClock,
  });
  const run = () => pass(new AbortController().signal);

  w.core.faults.failNext('BatchUpdateEntry', 1, StatusCode.UNAVAILABLE);
  await assert.rejects(run(), 'step 2 fails');
  assert.equal(mine().status.entryId, legacy.id, 'status keeps naming the legacy entry until it is gone');
  w.core.faults.failNext('BatchDeleteEntry', 1, StatusCode.UNAVAILABLE);
  await assert.rejects(run(), 'step 3 fails');
  assert.equal(mine().status.entryId, legacy.id);
  for (let i = 0; i < 3; i++) await run();

  assert.ok(counts.length >= 5, 'every step was watched');
  assert.ok(counts.every((n) => n >= 1), `never without an entry: ${counts.join(',')}`);
  assert.deepEqual(issuing('spiffe://example.org/mine').map((e) => e.id), ['k8s-workload-registrar.k8stest.user-1']);
  assert.equal(w.entries().filter((e) => e.spiffeId === 'spiffe://example.org/mine').length, 1, 'no stand-in left');
  assert.equal(mine().status.entryId, 'k8s-workload-registrar.k8stest.user-1');
});

test('a hand-made SpiffeID taken over in the pass that first sees it: the same pass plans it as taken over, so its status keeps TakenOver', async () => {
  const w0 = await world();
  // Made by hand before the registrar saw it (finalizer included), with the pod's name and a spec the rules
  // refuse; no status yet.
  const squatter = {
    apiVersion: 'spiffeid.spiffe.io/v1beta1',
    kind: 'SpiffeID',
    metadata: { name: 'web-0', namespace: 'spire', uid: 'squat-1', labels: {}, finalizers: ['finalizers.spiffeid.spiffe.io'] },
    spec: { parentId: 'spiffe://example.org/spire/server', spiffeId: 'spiffe://elsewhere.org/squat', selector: { podUid: 'u-web', namespace: 'spire' } },
  };
  const w = await worldWith(w0, fakeSpiffeIdWriter([squatter]));
  await w.pass(new AbortController().signal);
  const web = () => w.writer.objects().find((o) => (o.metadata as { name: string }).name === 'web-0') as { status?: { entryId?: string; conditions?: { type: string; status: string }[] } };
  assert.deepEqual(web().status?.conditions?.map((c) => [c.type, c.status]).sort(), [['Ready', 'True'], ['TakenOver', 'True']]);
  assert.equal(web().status?.entryId, 'k8s-workload-registrar.k8stest.squat-1', 'its entry made in the same pass, under the object\'s UID');
  await w.settle();
  assert.deepEqual(web().status?.conditions?.map((c) => c.type).sort(), ['Ready', 'TakenOver']);
});

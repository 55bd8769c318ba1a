// Crd mode's periodic resync lists SPIRE in the background (CrdEntries with `onListed`): passes meanwhile
// plan against the held entries and do not wait; their writes are replayed onto the listing; a pass then
// takes the listing over and acts on what it found. A listing after invalidate() or after a failed
// background listing blocks the pass, as a first listing does. No sleeps: the listing is held open by
// the store below until the test opens it, and the clock moves only when the test says so.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import * as v from 'valibot';
import type { EntryStore } from '../../adapters/entry-store.js';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import type { EndpointSlice } from '../../handlers/k8s/endpoint-slice.js';
import { SpiffeIdSchema } from '../../handlers/spiffeid/spiffeid.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { flush, manualClock } from '../../test/fixtures/manual-clock.js';
import { createTrigger } from '../trigger.js';
import { crdTestConfig } from '../../test/fixtures/spiffeid.js';
import { CrdEntries } from './crd-entries.js';
import { createCrdPass } from './crd-pass.js';
import { fakeSpiffeIdWriter } from './spiffeid-writer.fake.js';

const RESYNC_MS = 10_000;
const config = { ...crdTestConfig, disabledNamespaces: [], addSvcDnsName: false };
const pod = (i: number) => aPod({ name: `web-${i}`, namespace: 'spire', uid: `u-${i}`, nodeName: 'n1', annotations: { 'spiffe.io/spiffe-id': `web-${i}` } });
const unannotated = (i: number) => aPod({ name: `web-${i}`, namespace: 'spire', uid: `u-${i}`, nodeName: 'n1' });

/**
 * A store whose listing, once `hold()` was called, takes SPIRE's state when asked and answers it only
 * when the test calls `open()` (or rejects it with `fail()`, or when its signal aborts).
 */
function heldListing(inner: EntryStore) {
  let held = false;
  let listings = 0;
  const waiting: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  const store: EntryStore = {
    ...inner,
    async listEntries(filter, o) {
      listings++;
      const snapshot = await inner.listEntries(filter, o?.signal ? { signal: o.signal } : {});
      if (!held) return snapshot;
      await new Promise<void>((resolve, reject) => {
        const w = { resolve, reject };
        waiting.push(w);
        o?.signal?.addEventListener('abort', () => {
          waiting.splice(waiting.indexOf(w), 1);
          reject(new Error('list entries: aborted'));
        }, { once: true });
      });
      return snapshot;
    },
  };
  return {
    store,
    hold: () => void (held = true),
    /** ListEntries listings asked for (a listing is several calls, one per page). */
    listings: () => listings,
    waiting: () => waiting.length,
    open() {
      held = false;
      for (const w of waiting.splice(0)) w.resolve();
    },
    fail(err: Error) {
      held = false;
      for (const w of waiting.splice(0)) w.reject(err);
    },
  };
}

/** The next pass makes a listing of its own and waits for it (held open until checked). */
async function nextPassListsAndWaits(w: Awaited<ReturnType<typeof world>>): Promise<void> {
  const lists = w.held.listings();
  w.held.hold();
  const next = await w.runWithoutWaiting();
  try {
    assert.equal(next.ended, false, 'the pass waits for its listing');
    assert.equal(w.held.listings(), lists + 1);
  } finally {
    w.held.open();
  }
  await next.p;
}

async function world() {
  const core = await MemorySpireCore.create({});
  const clock = manualClock();
  const writer = fakeSpiffeIdWriter();
  const state = { nodes: [aNode({ name: 'n1' })], pods: [pod(0), pod(1)], endpointSlices: [] as EndpointSlice[] };
  const templates = checkCrdTemplates({ ...config, dnsNameTemplates: [] });
  assert.ok(templates.ok);
  const held = heldListing(memoryEntryStore(core));
  const lines: { level: number; msg: string; listed?: boolean }[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    }),
  );
  let onListed = () => {};
  let listedCalls = 0;
  const entries = new CrdEntries({
    store: held.store,
    clock,
    resyncIntervalMs: RESYNC_MS,
    log,
    onListed: () => {
      listedCalls++;
      onListed();
    },
  });
  const pass = createCrdPass({
    store: held.store,
    entries,
    writer,
    snapshot: () => ({ ...state, spiffeIds: writer.objects().map((o) => v.parse(SpiffeIdSchema, o)) }),
    config,
    templates: templates.templates,
    log,
    clock,
  });
  const run = () => pass(new AbortController().signal);
  const settle = async () => {
    for (let i = 0; i < 6; i++) await run();
  };
  /** Starts a pass and says whether it ended while the test's promise jobs ran (it did not wait on I/O). */
  const runWithoutWaiting = async () => {
    let ended = false;
    const p = run().finally(() => (ended = true));
    await flush();
    return { ended, p };
  };
  const spiffeIds = () => core.entries().map(entryFromWire).map((e) => e.spiffeId).sort();
  const serverIds = () => core.entries().map((e) => e.id).sort();
  const calls = () => ({ ...core.calls() });
  const summaries = () => lines.filter((l) => l.msg === 'CRD pass done');
  return {
    core, clock, state, entries, held, lines, run, settle, runWithoutWaiting, spiffeIds, serverIds, calls, summaries, log,
    listedCalls: () => listedCalls,
    setOnListed: (f: () => void) => void (onListed = f),
    heldIds: async () => (await entries.current()).entries.map((e) => e.id).sort(),
  };
}

test('a pass during an open background listing plans against the held entries and does not wait for it', async () => {
  const w = await world();
  await w.settle();
  const lists = w.held.listings();
  await w.clock.advance(RESYNC_MS);
  w.held.hold();
  w.state.pods = [pod(0), pod(1), pod(2)];
  const first = await w.runWithoutWaiting();
  try {
    assert.equal(first.ended, true, 'the pass ended while the resync listing was held open');
    assert.equal(w.held.waiting(), 1, 'the resync listing was asked for and is open');
    assert.equal(w.entries.resyncing, true);
    // The new pod's SpiffeID and its entry were written in that pass, against the held entries.
    assert.equal(w.spiffeIds().includes('spiffe://example.org/web-2'), true);
    const during = await w.runWithoutWaiting();
    assert.equal(during.ended, true, 'so does the next one');
    assert.equal(w.held.listings(), lists + 1, 'one listing for the resync, none per pass');
    assert.deepEqual(w.summaries().slice(-2).map((s) => s.listed), [false, false]);
  } finally {
    w.held.open();
  }
  await first.p;
  await flush();
  assert.equal(w.listedCalls(), 1, 'the end of the listing asks for a pass');
  await w.run();
  assert.equal(w.summaries().at(-1)?.listed, true, 'the pass that takes the listing over says it listed');
  assert.equal(w.entries.resyncing, false);
});

test('writes made during the background listing survive its commit: a create after its page was read, a delete of an entry it returned', async () => {
  const w = await world();
  await w.settle();
  await w.clock.advance(RESYNC_MS);
  w.held.hold();
  const started = await w.runWithoutWaiting(); // the resync listing takes SPIRE's state now, and stays open
  assert.equal(started.ended, true);
  assert.equal(w.held.waiting(), 1);
  // web-2 comes (its entry created after the listing read every page); web-0 goes (its entry, in the
  // listing, deleted meanwhile).
  w.state.pods = [unannotated(0), pod(1), pod(2)];
  for (let i = 0; i < 6; i++) {
    const p = await w.runWithoutWaiting();
    assert.equal(p.ended, true, 'passes during the listing do not wait');
  }
  assert.equal(w.spiffeIds().includes('spiffe://example.org/web-2'), true);
  assert.equal(w.spiffeIds().includes('spiffe://example.org/web-0'), false);
  const before = w.calls();
  w.held.open();
  await flush();
  await w.run(); // takes the listing over
  assert.equal(w.summaries().at(-1)?.listed, true);
  assert.deepEqual(await w.heldIds(), w.serverIds(), 'the held entries are what SPIRE holds');
  const after = w.calls();
  assert.equal(after.BatchCreateEntry, before.BatchCreateEntry, 'web-2 is not created again');
  assert.equal(after.BatchDeleteEntry, before.BatchDeleteEntry, 'web-0 is not deleted again');
  assert.equal(after.ListEntries, before.ListEntries);
});

test('invalidate during a background listing: its result is not used, and the next pass lists and waits for it', async () => {
  const w = await world();
  await w.settle();
  await w.clock.advance(RESYNC_MS);
  w.held.hold();
  const started = await w.runWithoutWaiting();
  assert.equal(started.ended, true);
  assert.equal(w.held.waiting(), 1);
  w.entries.invalidate(); // a write whose outcome is unknown, or a new leadership term
  await flush();
  assert.equal(w.held.waiting(), 0, 'the dropped listing was aborted');
  assert.equal(w.listedCalls(), 0, 'a dropped listing asks for no pass');
  assert.equal(w.entries.resyncing, false);
  await nextPassListsAndWaits(w);
  assert.equal(w.summaries().at(-1)?.listed, true);
  assert.equal(w.entries.loaded, true);
});

test('a failed background listing is logged, leaves the held entries in place, and the next pass lists and waits', async () => {
  const w = await world();
  await w.settle();
  const heldBefore = await w.heldIds();
  await w.clock.advance(RESYNC_MS);
  w.held.hold();
  const started = await w.runWithoutWaiting();
  assert.equal(started.ended, true);
  w.held.fail(new Error('connect ENOENT'));
  await flush();
  assert.ok(w.lines.some((l) => l.level === 50 && l.msg.startsWith('Resync: listing SPIRE entries failed')), 'logged at error');
  assert.equal(w.listedCalls(), 1, 'a pass is asked for (it lists)');
  assert.equal(w.entries.loaded, false);
  await nextPassListsAndWaits(w);
  assert.deepEqual(await w.heldIds(), heldBefore);
  assert.equal(w.entries.loaded, true);
});

test('drift found by the background listing is acted on by the pass its end triggers (as run-crd wires it)', async () => {
  const w = await world();
  const trigger = createTrigger({ runPass: () => w.run(), resyncIntervalMs: RESYNC_MS, clock: w.clock });
  w.setOnListed(() => trigger.fire());
  for (let i = 0; i < 6; i++) {
    trigger.fire();
    await trigger.idle();
  }
  assert.equal(w.spiffeIds().includes('spiffe://example.org/web-0'), true);
  const [victim] = w.core.entries().filter((e) => entryFromWire(e).spiffeId === 'spiffe://example.org/web-0');
  await w.core.batchDeleteEntry({ ids: [victim?.id ?? ''] });
  const passes = trigger.passes;
  // The trigger's resync pass starts the listing without waiting for it; its end runs another pass, which
  // takes it over and makes the entry again: no pod event needed.
  await w.clock.advance(RESYNC_MS);
  await trigger.idle();
  assert.equal(w.listedCalls(), 1);
  assert.equal(trigger.passes, passes + 2, 'the resync pass, then the pass on its listing');
  assert.deepEqual(w.summaries().slice(-2).map((s) => s.listed), [false, true]);
  assert.equal(w.spiffeIds().includes('spiffe://example.org/web-0'), true);
  await trigger.stop();
});

test('shutdown during a background listing leaves no rejection unhandled', async () => {
  const w = await world();
  await w.settle();
  await w.clock.advance(RESYNC_MS);
  w.held.hold();
  const term = new AbortController();
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  try {
    await w.entries.current(term.signal);
    assert.equal(w.entries.resyncing, true);
    term.abort();
    await flush();
    assert.deepEqual(unhandled, []);
    assert.ok(w.lines.some((l) => l.level === 20 && l.msg.startsWith('Resync: listing SPIRE entries failed')), 'an aborted listing is logged at debug');
    assert.equal(w.entries.loaded, false, 'the next term lists before it plans');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

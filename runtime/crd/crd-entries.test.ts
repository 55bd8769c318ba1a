// Crd mode's SPIRE view (CrdEntries) inside real passes: SPIRE calls per pass, from the in-memory
// server's counters. Between resyncs a pass lists nothing; a resync, a failed call or a new leadership
// term lists once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import * as v from 'valibot';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import type { EndpointSlice } from '../../handlers/k8s/endpoint-slice.js';
import { SpiffeIdSchema } from '../../handlers/spiffeid/spiffeid.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { manualClock } from '../../test/fixtures/manual-clock.js';
import { crdTestConfig } from '../../test/fixtures/spiffeid.js';
import type { EntryStore } from '../../adapters/entry-store.js';
import { CrdEntries } from './crd-entries.js';
import { createCrdPass } from './crd-pass.js';
import { fakeSpiffeIdWriter } from './spiffeid-writer.fake.js';

const RESYNC_MS = 10_000;
const config = { ...crdTestConfig, disabledNamespaces: [], addSvcDnsName: false };
const pod = (i: number) => aPod({ name: `web-${i}`, namespace: 'spire', uid: `u-${i}`, nodeName: 'n1', annotations: { 'spiffe.io/spiffe-id': `web-${i}` } });

async function world() {
  const core = await MemorySpireCore.create({});
  const clock = manualClock();
  const writer = fakeSpiffeIdWriter();
  const state = { nodes: [aNode({ name: 'n1' })], pods: [pod(0), pod(1)], endpointSlices: [] as EndpointSlice[] };
  const templates = checkCrdTemplates({ ...config, dnsNameTemplates: [] });
  assert.ok(templates.ok);
  const store = memoryEntryStore(core);
  const entries = new CrdEntries({ store, clock, resyncIntervalMs: RESYNC_MS });
  const pass = createCrdPass({
    store,
    entries,
    writer,
    snapshot: () => ({ ...state, spiffeIds: writer.objects().map((o) => v.parse(SpiffeIdSchema, o)) }),
    config,
    templates: templates.templates,
    log: pino({ level: 'silent' }),
    clock,
  });
  const run = () => pass(new AbortController().signal);
  /** Passes as the SpiffeID events of the previous one would trigger them, until one changes nothing. */
  const settle = async () => {
    for (let i = 0; i < 6; i++) await run();
  };
  const spiffeIds = () => core.entries().map(entryFromWire).map((e) => e.spiffeId).sort();
  const lists = () => core.calls().ListEntries;
  return { core, clock, state, entries, run, settle, spiffeIds, lists };
}

test('from cold: one listing, then event passes create and delete entries without listing again', async () => {
  const w = await world();
  await w.settle();
  assert.equal(w.spiffeIds().length, 3);
  const afterCold = w.lists();
  assert.ok(afterCold >= 1);

  w.state.pods = [pod(0), pod(1), pod(2), pod(3)];
  await w.settle();
  // A pod's SpiffeID goes when its annotation does (a deleted pod's goes by Kubernetes' garbage collector).
  w.state.pods = [aPod({ name: 'web-0', namespace: 'spire', uid: 'u-0', nodeName: 'n1' }), pod(1), pod(2), pod(3)];
  await w.settle();
  assert.deepEqual(w.spiffeIds(), [
    'spiffe://example.org/k8s-workload-registrar/k8stest/node/n1',
    'spiffe://example.org/web-1',
    'spiffe://example.org/web-2',
    'spiffe://example.org/web-3',
  ]);
  assert.equal(w.lists(), afterCold, 'no ListEntries between resyncs');
  assert.ok(w.core.calls().BatchCreateEntry > 0 && w.core.calls().BatchDeleteEntry > 0);
});

test('a resync lists once; an entry deleted in SPIRE behind our back is made again then', async () => {
  const w = await world();
  await w.settle();
  const [victim] = w.core.entries().filter((e) => entryFromWire(e).spiffeId === 'spiffe://example.org/web-0');
  await w.core.batchDeleteEntry({ ids: [victim?.id ?? ''] });
  const before = w.lists();
  await w.run();
  assert.equal(w.lists(), before, 'not due yet: no listing');
  assert.equal(w.spiffeIds().includes('spiffe://example.org/web-0'), false);

  await w.clock.advance(RESYNC_MS);
  await w.settle();
  assert.ok(w.lists() > before, 'the resync listed');
  assert.equal(w.spiffeIds().includes('spiffe://example.org/web-0'), true);
  const afterResync = w.lists();
  await w.settle();
  assert.equal(w.lists(), afterResync, 'one listing per resync');
});

test('a SPIRE call that fails as a whole makes the next pass list again', async () => {
  const w = await world();
  await w.settle();
  w.state.pods = [pod(0), pod(1), pod(2)];
  w.core.faults.unavailable(true);
  await assert.rejects(w.run()); // declares the new SpiffeID; its entry create (same pass) fails as a whole
  w.core.faults.unavailable(false);
  const before = w.lists();
  await w.settle();
  assert.ok(w.lists() > before, 'listed after the failed call');
  assert.equal(w.spiffeIds().length, 4);
});

test('invalidate (a new leadership term) lists on the next pass', async () => {
  const w = await world();
  await w.settle();
  const before = w.lists();
  w.entries.invalidate();
  await w.run();
  assert.ok(w.lists() > before);
});

test('an invalidate() while a blocking listing runs (SPIRE reconnected) is not lost: the next pass lists again', async () => {
  let release!: () => void;
  let listings = 0;
  const store = {
    listEntries: async () => {
      listings++;
      await new Promise<void>((r) => (release = r));
      return [];
    },
  } as unknown as EntryStore;
  const entries = new CrdEntries({ store, clock: manualClock(), resyncIntervalMs: RESYNC_MS });
  const first = entries.current();
  await Promise.resolve();
  entries.invalidate();
  release();
  assert.equal((await first).listed, true);
  assert.equal(entries.loaded, false, 'the listing began before the invalidate');
  const second = entries.current();
  await Promise.resolve();
  release();
  await second;
  assert.deepEqual([listings, entries.loaded], [2, true]);
});

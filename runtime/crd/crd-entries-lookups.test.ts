// What sliced crd passes read of CrdEntries: the held entries by ID and by key, kept in step with every
// write and listing, and whether the next pass must be full (a listing to make or to take over).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { entryKey } from '../../handlers/entries/entry-key.js';
import { newEntry, type Entry } from '../../handlers/entries/entry.js';
import { manualClock } from '../../test/fixtures/manual-clock.js';
import { CrdEntries } from './crd-entries.js';

const RESYNC_MS = 10_000;
const anEntry = (id: string, spiffeId: string): Entry =>
  newEntry({ id, spiffeId: `spiffe://example.org/${spiffeId}`, parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'k8s', value: 'ns:spire' }] });

async function held(onListed?: () => void) {
  const core = await MemorySpireCore.create({});
  const store = memoryEntryStore(core);
  await store.createEntries([anEntry('a', 'x'), anEntry('b', 'y')]);
  const clock = manualClock();
  const entries = new CrdEntries({ store, clock, resyncIntervalMs: RESYNC_MS, ...(onListed ? { onListed } : {}) });
  return { core, store, clock, entries };
}

test('entries by ID and by key follow puts, removes and listings', async () => {
  const { store, entries } = await held();
  assert.equal(entries.needsFullPass(), true, 'nothing listed yet');
  await entries.current();
  const key = (id: string) => entryKey(entries.get(id) as Entry);
  assert.deepEqual(entries.idsUnderKey(key('a')), ['a']);
  // A second entry under x's key, then a's key moves to y's.
  entries.put(anEntry('c', 'x'));
  assert.deepEqual([...entries.idsUnderKey(key('a'))].sort(), ['a', 'c']);
  const xKey = key('a');
  entries.put(anEntry('a', 'y'));
  assert.deepEqual(entries.idsUnderKey(xKey), ['c']);
  assert.deepEqual([...entries.idsUnderKey(key('b'))].sort(), ['a', 'b']);
  entries.remove('b');
  assert.deepEqual(entries.idsUnderKey(key('a')), ['a']);
  assert.equal(entries.get('b'), undefined);
  // A listing replaces what was held: SPIRE still has a (as x) and b, never saw c.
  entries.invalidate();
  await entries.current();
  assert.deepEqual(entries.idsUnderKey(xKey), ['a']);
  assert.equal(entries.get('c'), undefined);
  assert.ok(entries.get('b'));
  await store.deleteEntries(['b']);
});

test('needsFullPass: after invalidate(), when a due resync must list, and while a finished background listing waits', async () => {
  let listed: () => void = () => {};
  const listingEnded = new Promise<void>((resolve) => (listed = resolve));
  const { clock, entries } = await held(() => listed());
  await entries.current();
  assert.equal(entries.needsFullPass(), false);
  entries.invalidate();
  assert.equal(entries.needsFullPass(), true);
  await entries.current();
  assert.equal(entries.needsFullPass(), false);
  // Due, with a background listing possible: a sliced pass starts it and is not made full by it.
  await clock.advance(RESYNC_MS);
  assert.equal(entries.needsFullPass(), false);
  entries.startResyncIfDue();
  assert.equal(entries.resyncing, true);
  await listingEnded;
  assert.equal(entries.needsFullPass(), true, 'a finished listing is taken over by a full pass');
  const { listed: took } = await entries.current();
  assert.equal(took, true);
  assert.equal(entries.needsFullPass(), false);

  // Without a background listing (no onListed), a due resync lists before the pass plans: full.
  const plain = await held();
  await plain.entries.current();
  await plain.clock.advance(RESYNC_MS);
  assert.equal(plain.entries.needsFullPass(), true);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Entry, newEntry } from '../../handlers/entries/entry.js';
import { MemorySpireCore } from '../spire-memory/core.js';
import { memoryEntryStore } from '../spire-memory/entry-store.memory.js';

const entry = (n: number) => newEntry({ spiffeId: `spiffe://example.org/w/${n}`, parentId: 'spiffe://example.org/n', selectors: [{ type: 'unix', value: `uid:${n}` }] });

async function storeWith(count: number) {
  const core = await MemorySpireCore.create();
  const store = memoryEntryStore(core, { create: 50, update: 50, delete: 200, listPage: 2 });
  await store.createEntries(Array.from({ length: count }, (_, i) => entry(i)));
  return store;
}

test('listEntries with onPage hands over each page as it arrives and resolves to no entries', async () => {
  const store = await storeWith(5);
  const pages: Entry[][] = [];
  const rest = await store.listEntries(undefined, { onPage: (p) => pages.push([...p]) });
  assert.deepEqual(rest, []);
  // Two per page, then SPIRE's closing empty page.
  assert.deepEqual(pages.map((p) => p.length), [2, 2, 1, 0]);
  const listed = pages.flat();
  assert.deepEqual(listed.map((e) => e.spiffeId).sort(), (await store.listEntries()).map((e) => e.spiffeId).sort());
  assert.equal(new Set(listed.map((e) => e.id)).size, 5);
});

test('listEntries with onPage stops at a failing page with the page in the error', async () => {
  const store = await storeWith(3);
  const controller = new AbortController();
  let pages = 0;
  await assert.rejects(
    store.listEntries(undefined, {
      signal: controller.signal,
      onPage: () => {
        pages++;
        controller.abort();
      },
    }),
    /list entries \(page 2\)/,
  );
  assert.equal(pages, 1);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { reconcileOwnership } from '../../handlers/entries/ownership.js';
import { okStatus, StatusCode } from '../../handlers/entries/status-code.js';
import type { EntryStore } from '../../adapters/entry-store.js';
import { aPodEntry, ROOT } from '../../test/fixtures/reconcile-entries.js';
import { applyPlan } from './apply-plan.js';
import { OwnedIndex } from './owned-index.js';

const own = reconcileOwnership(ROOT, 'k8stest');
const unused = async () => {
  throw new Error('not called');
};
function store(overrides: Partial<EntryStore>): EntryStore {
  return { listEntries: unused, getEntry: unused, countEntries: unused, createEntries: unused, updateEntries: unused, deleteEntries: unused, close: async () => {}, ...overrides };
}
function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: pino({ level: 'debug' }, { write: (l: string) => lines.push(JSON.parse(l)) }) };
}

test('ALREADY_EXISTS on create and NOT_FOUND on delete count as success; the index follows', async () => {
  const index = new OwnedIndex(own);
  const gone = { ...aPodEntry('ns', 'gone', 'gone'), id: 'd1' };
  index.reset([gone]);
  const similar = { ...aPodEntry('ns', 'p', 'w'), id: 'existing' };
  const { lines, log } = capture();
  const counts = await applyPlan(
    { create: [aPodEntry('ns', 'p', 'w')], update: [], delete: [gone], masked: [] },
    {
      index,
      log,
      store: store({
        deleteEntries: async (ids) => ids.map((id) => ({ id, status: { code: StatusCode.NOT_FOUND, message: 'entry not found' } })),
        createEntries: async () => [{ status: { code: StatusCode.ALREADY_EXISTS, message: 'similar entry already exists' }, entry: similar }],
      }),
    },
  );
  assert.deepEqual(counts, { created: 0, updated: 0, deleted: 1, failed: 0 });
  assert.deepEqual(index.entriesOf('pod/ns/p'), [similar]);
  assert.deepEqual(index.entriesOf('pod/ns/gone'), []);
  assert.deepEqual(lines.map((l) => l.msg), ['Deleted entry', 'Found existing identical spire entry']);
});

test('deletes go before creates, creates before updates; a failed item is logged with its status and counted', async () => {
  const order: string[] = [];
  const { lines, log } = capture();
  const counts = await applyPlan(
    {
      create: [aPodEntry('ns', 'a', 'a')],
      update: [{ ...aPodEntry('ns', 'b', 'b'), id: 'u1' }],
      delete: [{ ...aPodEntry('ns', 'c', 'c'), id: 'd1' }],
      masked: [],
    },
    {
      index: new OwnedIndex(own),
      log,
      store: store({
        deleteEntries: async (ids) => (order.push('delete'), ids.map((id) => ({ id, status: okStatus }))),
        createEntries: async (es) => (order.push('create'), es.map(() => ({ status: { code: StatusCode.INVALID_ARGUMENT, message: 'bad' } }))),
        updateEntries: async (es) => (order.push('update'), es.map((e) => ({ status: okStatus, entry: e }))),
      }),
    },
  );
  assert.deepEqual(order, ['delete', 'create', 'update']);
  assert.deepEqual(counts, { created: 0, updated: 1, deleted: 1, failed: 1 });
  const failure = lines.find((l) => l.msg === 'Failed to create spire entry');
  assert.equal(failure?.status, '3: bad');
  assert.equal(failure?.spiffe_id, 'spiffe://example.org/a');
});

test('a whole call that fails invalidates the index so the next pass lists again', async () => {
  const index = new OwnedIndex(own);
  index.reset([]);
  await assert.rejects(
    applyPlan(
      { create: [aPodEntry('ns', 'a', 'a')], update: [], delete: [], masked: [] },
      { index, log: pino({ level: 'silent' }), store: store({ createEntries: async () => Promise.reject(new Error('unavailable')) }) },
    ),
    /create entries/,
  );
  assert.equal(index.loaded, false);
});

test('after the term ends (signal aborted) no further phase is sent', async () => {
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(
    applyPlan(
      { create: [aPodEntry('ns', 'a', 'a')], update: [], delete: [], masked: [] },
      { index: new OwnedIndex(own), log: pino({ level: 'silent' }), signal: abort.signal, store: store({}) },
    ),
    { name: 'AbortError' },
  );
});

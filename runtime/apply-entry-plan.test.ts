import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EntryStore } from '../adapters/entry-store.js';
import { newEntry } from '../handlers/entries/entry.js';
import { okStatus, StatusCode } from '../handlers/entries/status-code.js';
import { applyEntryPlan, type PlanOutcomes } from './apply-entry-plan.js';

const entry = (name: string, id = '') => ({ ...newEntry({ spiffeId: `spiffe://example.org/${name}`, parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'unix', value: `uid:${name}` }] }), id });
const unused = async () => {
  throw new Error('not called');
};

function recorder(): { seen: string[]; outcomes: PlanOutcomes } {
  const seen: string[] = [];
  return {
    seen,
    outcomes: {
      deleted: (e) => seen.push(`deleted ${e.id}`),
      created: (e, _r, existing) => seen.push(`created ${e.spiffeId}${existing ? ' (existing)' : ''}`),
      updated: (e) => seen.push(`updated ${e.id}`),
      failed: (op, e, s) => seen.push(`failed ${op} ${e.id || e.spiffeId}: ${s.code}`),
    },
  };
}

test('NOT_FOUND on delete and ALREADY_EXISTS on create are successes; each item is read in input order; a missing result is a failure', async () => {
  const { seen, outcomes } = recorder();
  const store: EntryStore = {
    listEntries: unused, getEntry: unused, countEntries: unused, close: async () => {},
    deleteEntries: async (ids) => ids.map((id, i) => ({ id, status: i === 0 ? { code: StatusCode.NOT_FOUND, message: 'gone' } : okStatus })),
    createEntries: async (es) => [{ status: { code: StatusCode.ALREADY_EXISTS, message: 'similar' }, entry: { ...(es[0] ?? entry('x')), id: 'e9' } }],
    updateEntries: async (es) => es.map((e) => ({ status: { code: StatusCode.NOT_FOUND, message: 'gone' }, entry: e })),
  };
  await applyEntryPlan({ delete: [entry('a', 'd1'), entry('b', 'd2')], create: [entry('c'), entry('d')], update: [entry('e', 'u1')], masked: [] }, store, outcomes);
  assert.deepEqual(seen, [
    'deleted d1',
    'deleted d2',
    'created spiffe://example.org/c (existing)',
    `failed create spiffe://example.org/d: ${StatusCode.UNKNOWN}`,
    `failed update u1: ${StatusCode.NOT_FOUND}`,
  ]);
});

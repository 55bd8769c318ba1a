import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observeEvent, SERIES_WINDOW_MS, seriesFinished } from './event-series.js';

test('first occurrence: a new Event to create, count 1', () => {
  assert.deepEqual(observeEvent(undefined, 1000, 'a.1'), { next: { name: 'a.1', count: 1, firstMs: 1000, lastMs: 1000, written: false }, write: 'create' });
});

test('seen again within the window: same Event, count + 1, patched once written', () => {
  const prev = { name: 'a.1', count: 1, firstMs: 1000, lastMs: 1000, written: true };
  assert.deepEqual(observeEvent(prev, 5000, 'a.2'), { next: { ...prev, count: 2, lastMs: 5000 }, write: 'patch' });
  assert.equal(observeEvent({ ...prev, written: false }, 5000, 'a.2').write, 'create');
});

test('seen again after the window: a new Event', () => {
  const prev = { name: 'a.1', count: 7, firstMs: 1000, lastMs: 1000, written: true };
  assert.deepEqual(observeEvent(prev, 1000 + SERIES_WINDOW_MS, 'a.2').next, { name: 'a.2', count: 1, firstMs: 1000 + SERIES_WINDOW_MS, lastMs: 1000 + SERIES_WINDOW_MS, written: false });
  assert.equal(seriesFinished(prev, 1000 + SERIES_WINDOW_MS), true);
  assert.equal(seriesFinished(prev, SERIES_WINDOW_MS), false);
});

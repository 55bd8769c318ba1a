import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observeEvent, SERIES_WINDOW_MS, seriesFinished } from './event-series.js';

test('first occurrence: a new Event, count 1, not yet written', () => {
  assert.deepEqual(observeEvent(undefined, 1000, 'a.1'), { name: 'a.1', count: 1, firstMs: 1000, lastMs: 1000, written: false });
});

test('seen again within the window: the same Event, count + 1, written state kept', () => {
  const prev = { name: 'a.1', count: 1, firstMs: 1000, lastMs: 1000, written: true };
  assert.deepEqual(observeEvent(prev, 5000, 'a.2'), { ...prev, count: 2, lastMs: 5000 });
  assert.equal(observeEvent({ ...prev, written: false }, 5000, 'a.2').written, false);
});

test('seen again after the window: a new Event', () => {
  const prev = { name: 'a.1', count: 7, firstMs: 1000, lastMs: 1000, written: true };
  assert.deepEqual(observeEvent(prev, 1000 + SERIES_WINDOW_MS, 'a.2'), { name: 'a.2', count: 1, firstMs: 1000 + SERIES_WINDOW_MS, lastMs: 1000 + SERIES_WINDOW_MS, written: false });
  assert.equal(seriesFinished(prev, 1000 + SERIES_WINDOW_MS), true);
  assert.equal(seriesFinished(prev, SERIES_WINDOW_MS), false);
});

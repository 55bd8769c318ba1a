import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, summarize } from './stats.js';

test('nearest-rank percentiles', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual([percentile(xs, 50), percentile(xs, 99), percentile(xs, 100), percentile(xs, 0)], [50, 99, 100, 1]);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('summarize sorts a copy and rounds to hundredths', () => {
  const input = [3, 1, 2.005];
  assert.deepEqual(summarize(input), { count: 3, p50: 2.01, p99: 3, max: 3, mean: 2 });
  assert.deepEqual(input, [3, 1, 2.005]);
  assert.equal(summarize([]).count, 0);
});

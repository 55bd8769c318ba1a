import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEAP_GROWING_PERCENT, tunesHeapGrowth } from './heap-tuning.js';

test('heap growth is tuned for the controller modes only (webhook mode keeps V8 defaults for its latency)', () => {
  assert.deepEqual(['webhook', 'reconcile', 'crd'].map(tunesHeapGrowth), [false, true, true]);
});

test('crd mode lets the heap grow less than reconcile mode between major GCs (its passes hold more for longer)', () => {
  assert.deepEqual(HEAP_GROWING_PERCENT, { reconcile: 50, crd: 25 });
});

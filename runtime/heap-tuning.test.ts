import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tunesHeapGrowth } from './heap-tuning.js';

test('heap growth is tuned for the controller modes only (webhook mode keeps V8 defaults for its latency)', () => {
  assert.deepEqual(['webhook', 'reconcile', 'crd'].map(tunesHeapGrowth), [false, true, true]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tunesHeapGrowth } from './heap-tuning.js';

test('heap growth is tuned for the controller modes and for webhook mode with its pods cache (webhook_resync)', () => {
  assert.deepEqual(
    [{ mode: 'reconcile' }, { mode: 'crd' }, { mode: 'webhook', webhookResync: true }].map(tunesHeapGrowth),
    [true, true, true],
  );
});

test('webhook mode without webhook_resync keeps V8 defaults for its admission latency', () => {
  assert.equal(tunesHeapGrowth({ mode: 'webhook', webhookResync: false }), false);
  assert.equal(tunesHeapGrowth({ mode: 'webhook' }), false);
});

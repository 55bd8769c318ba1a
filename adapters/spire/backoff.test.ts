import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelayMs, defaultRetryPolicy } from './backoff.js';

const policy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2 };

test('delays double per retry and stop at the maximum', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => backoffDelayMs(policy, r, () => 1)), [100, 200, 400, 800, 1000, 1000]);
});

test('jitter spreads each delay over the upper half of its cap', () => {
  assert.deepEqual([0, 1, 2].map((r) => backoffDelayMs(policy, r, () => 0)), [50, 100, 200]);
  assert.equal(backoffDelayMs(policy, 2, () => 0.5), 300);
});

test('the default policy retries four times', () => {
  assert.equal(defaultRetryPolicy.maxAttempts, 5);
});

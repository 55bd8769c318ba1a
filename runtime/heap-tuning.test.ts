import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heapGrowingPercent, modeYoungGenerationMiB } from './heap-tuning.js';

test('heap growth: crd mode grows less than reconcile mode between major GCs (its passes hold more for longer)', () => {
  assert.equal(heapGrowingPercent({ mode: 'reconcile' }), 50);
  assert.equal(heapGrowingPercent({ mode: 'crd' }), 25);
});

test('heap growth: webhook mode with its pods cache (webhook_resync) is tuned like reconcile mode', () => {
  assert.equal(heapGrowingPercent({ mode: 'webhook', webhookResync: true }), 50);
});

test('heap growth: webhook mode without webhook_resync grows by a fixed 200% (fewer full GCs than V8 picks, and no 4x outlier)', () => {
  assert.equal(heapGrowingPercent({ mode: 'webhook', webhookResync: false }), 200);
  assert.equal(heapGrowingPercent({ mode: 'webhook' }), 200);
});

test('young generation: crd and webhook modes run in a thread with their own (2 and 4 MiB semi-spaces); reconcile mode on the main thread with V8 default', () => {
  assert.equal(modeYoungGenerationMiB({ mode: 'crd' }), 6);
  assert.equal(modeYoungGenerationMiB({ mode: 'webhook' }), 12);
  assert.equal(modeYoungGenerationMiB({ mode: 'reconcile' }), undefined);
});

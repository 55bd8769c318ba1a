import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, createBackoff } from './backoff.js';

const noJitter = { minMs: 100, maxMs: 1000, jitter: 0 };

test('delays grow by the factor and stop at the maximum', () => {
  const b = createBackoff(noJitter);
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  assert.equal(b.attempts, 6);
});

test('reset goes back to the minimum', () => {
  const b = createBackoff(noJitter);
  b.next();
  b.next();
  b.reset();
  assert.equal(b.attempts, 0);
  assert.equal(b.next(), 100);
});

test('a custom factor is honoured', () => {
  assert.equal(backoffDelay(2, { ...noJitter, factor: 3 }), 900);
});

test('jitter only shortens a delay, so the maximum stays a hard cap', () => {
  const opts = { minMs: 100, maxMs: 1000, jitter: 0.5 };
  assert.equal(backoffDelay(10, { ...opts, random: () => 0 }), 1000);
  assert.equal(backoffDelay(10, { ...opts, random: () => 0.999999 }), 500);
  assert.equal(backoffDelay(0, { ...opts, random: () => 0.5 }), 75);
});

test('huge attempt counts do not overflow past the maximum', () => {
  assert.equal(backoffDelay(5000, noJitter), 1000);
});

test('an inverted range is refused', () => {
  assert.throws(() => createBackoff({ minMs: 10, maxMs: 5 }), /minMs <= maxMs/);
});

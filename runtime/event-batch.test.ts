import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from '../test/fixtures/manual-clock.js';
import { eventBatch } from './event-batch.js';

test('a burst of events fires once, when the window opened by its first event closes', async () => {
  const clock = manualClock();
  let fired = 0;
  const b = eventBatch(clock, 20, () => fired++);
  b.add();
  await clock.advance(10);
  b.add();
  b.add();
  assert.equal(fired, 0);
  await clock.advance(10);
  assert.equal(fired, 1);
  await clock.advance(100);
  assert.equal(fired, 1);
  b.add(); // a new burst opens a new window
  await clock.advance(20);
  assert.equal(fired, 2);
});

test('a window of 0 fires on every event; cancel drops a pending window', async () => {
  const clock = manualClock();
  let fired = 0;
  const now = eventBatch(clock, 0, () => fired++);
  now.add();
  now.add();
  assert.equal(fired, 2);
  const later = eventBatch(clock, 20, () => fired++);
  later.add();
  later.cancel();
  await clock.advance(50);
  assert.equal(fired, 2);
  later.add();
  await clock.advance(20);
  assert.equal(fired, 3);
});

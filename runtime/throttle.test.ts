import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from '../test/fixtures/manual-clock.js';
import { throttle } from './throttle.js';

test('throttle: the first call runs, calls within the gap are dropped, the first one after it runs', async () => {
  const clock = manualClock();
  let calls = 0;
  const t = throttle(() => calls++, 1000, clock);
  t();
  t();
  t();
  assert.equal(calls, 1);
  await clock.advance(999);
  t();
  assert.equal(calls, 1, 'still inside the gap');
  await clock.advance(1);
  t();
  t();
  assert.equal(calls, 2);
});

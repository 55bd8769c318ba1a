import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from '../../test/fixtures/manual-clock.js';
import { tokenBucket } from './token-bucket.js';

test('burst at once, then the refill rate; never more than the burst saved up', async () => {
  const clock = manualClock();
  const b = tokenBucket({ burst: 3, perSecond: 2, clock });
  assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [true, true, true, false]);
  await clock.advance(500);
  assert.deepEqual([b.take(), b.take()], [true, false]);
  await clock.advance(60_000);
  assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [true, true, true, false]);
});

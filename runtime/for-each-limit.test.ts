import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachLimit } from './for-each-limit.js';

/** A run whose calls stay pending until released, so the number in flight can be observed. */
function gated() {
  let inFlight = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  const run = async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight--;
  };
  return { run, waiting, peak: () => peak };
}

test('never more than `limit` calls in flight, and every item runs', async () => {
  const g = gated();
  const seen: number[] = [];
  const done = forEachLimit([...Array(10).keys()], 3, async (n) => {
    seen.push(n);
    await g.run();
  });
  while (seen.length < 10 || g.waiting.length > 0) {
    await new Promise((r) => setImmediate(r));
    assert.ok(g.waiting.length <= 3);
    g.waiting.shift()?.();
  }
  await done;
  assert.equal(g.peak(), 3);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('a failing item does not stop the others; the first failure is re-thrown at the end', async () => {
  const ran: number[] = [];
  await assert.rejects(
    forEachLimit([1, 2, 3, 4, 5], 2, async (n) => {
      ran.push(n);
      if (n === 2 || n === 4) throw new Error(`item ${n}`);
    }),
    /item 2/,
  );
  assert.deepEqual(ran, [1, 2, 3, 4, 5]);
});

test('no items: resolves without calling run', async () => {
  await forEachLimit([], 8, async () => assert.fail('called'));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flush, manualClock } from '../../test/fixtures/manual-clock.js';
import { createWorkQueue } from './work-queue.js';

/** A process function whose calls stay pending until the test resolves or rejects them. */
function controllable() {
  const calls: Array<{ key: string; resolve: () => void; reject: (e: Error) => void }> = [];
  const process = (key: string) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ key, resolve, reject });
    });
  return { calls, process };
}

test('a key added several times before it runs is processed once', async () => {
  const seen: string[] = [];
  let unblock = () => {};
  const blocker = new Promise<void>((r) => {
    unblock = r;
  });
  const q = createWorkQueue({ process: async (k) => (seen.push(k), k === 'busy' ? blocker : undefined) });
  q.add('busy');
  q.add('a');
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.depth(), 2);
  unblock();
  await q.idle();
  assert.deepEqual(seen, ['busy', 'a', 'b']);
});

test('no more than `concurrency` keys run at once', async () => {
  const c = controllable();
  const q = createWorkQueue({ process: c.process, concurrency: 2 });
  for (const k of ['a', 'b', 'c', 'd']) q.add(k);
  await flush();
  assert.deepEqual(c.calls.map((x) => x.key), ['a', 'b']);
  assert.equal(q.depth(), 2);
  c.calls[0]?.resolve();
  await flush();
  assert.deepEqual(c.calls.map((x) => x.key), ['a', 'b', 'c']);
  for (const x of c.calls.slice(1)) x.resolve();
  await flush();
  c.calls[3]?.resolve();
  await q.idle();
  assert.deepEqual(c.calls.map((x) => x.key), ['a', 'b', 'c', 'd']);
});

test('a key re-added while it runs is not run concurrently but runs again afterwards', async () => {
  const c = controllable();
  const q = createWorkQueue({ process: c.process, concurrency: 4 });
  q.add('a');
  await flush();
  q.add('a');
  q.add('a');
  await flush();
  assert.equal(c.calls.length, 1, 'second run waits for the first');
  c.calls[0]?.resolve();
  await flush();
  assert.equal(c.calls.length, 2, 'the re-add runs once after the first finished');
  c.calls[1]?.resolve();
  await q.idle();
  assert.equal(c.calls.length, 2);
});

test('a failing key is retried with growing, capped delays and forgotten after success', async () => {
  const clock = manualClock();
  let failuresLeft = 4;
  const runs: number[] = [];
  const retryDelays: Array<number | undefined> = [];
  const q = createWorkQueue({
    clock,
    backoff: { minMs: 100, maxMs: 300, jitter: 0 },
    process: async () => {
      runs.push(clock.now());
      if (failuresLeft-- > 0) throw new Error('spire unavailable');
    },
    onError: (_k, _e, retryIn) => retryDelays.push(retryIn),
  });
  const t0 = clock.now();
  q.add('k');
  await flush();
  assert.equal(q.retries('k'), 1);
  await clock.advance(2000);
  assert.deepEqual(retryDelays, [100, 200, 300, 300]);
  assert.deepEqual(runs.map((t) => t - t0), [0, 100, 300, 600, 900]);
  assert.equal(q.retries('k'), 0, 'success forgets the failures');
});

test('terminal errors and exhausted retries drop the key', async () => {
  const clock = manualClock();
  let runs = 0;
  const dropped: string[] = [];
  const q = createWorkQueue({
    clock,
    maxRetries: 2,
    backoff: { minMs: 10, maxMs: 10, jitter: 0 },
    isRetriable: (e) => !(e instanceof TypeError),
    process: async (k) => {
      runs++;
      throw k === 'bad' ? new TypeError('invalid spec') : new Error('flaky');
    },
    onError: (k, _e, retryIn) => {
      if (retryIn === undefined) dropped.push(k);
    },
  });
  q.add('bad');
  await clock.advance(100);
  assert.equal(runs, 1);
  q.add('flaky');
  await clock.advance(100);
  assert.equal(runs, 1 + 3, 'first try plus two retries');
  assert.deepEqual(dropped, ['bad', 'flaky']);
  assert.equal(clock.pendingTimers(), 0);
});

test('a direct add does not wait for a pending retry', async () => {
  const clock = manualClock();
  let runs = 0;
  const q = createWorkQueue({
    clock,
    backoff: { minMs: 10_000, maxMs: 10_000, jitter: 0 },
    process: async () => {
      if (runs++ === 0) throw new Error('first try fails');
    },
  });
  q.add('k');
  await flush();
  q.add('k');
  await flush();
  assert.equal(runs, 2);
  assert.equal(clock.pendingTimers(), 0, 'the delayed retry was superseded');
});

test('addAfter keeps the earliest pending time for a key', async () => {
  const clock = manualClock();
  const runs: number[] = [];
  const q = createWorkQueue({ clock, process: async () => void runs.push(clock.now()) });
  const t0 = clock.now();
  q.addAfter('k', 500);
  q.addAfter('k', 100);
  q.addAfter('k', 900);
  await clock.advance(1000);
  assert.deepEqual(runs.map((t) => t - t0), [100]);
});

test('shutDown waits for in-flight work, drops queued keys and refuses new ones', async () => {
  const c = controllable();
  const depths: number[] = [];
  const q = createWorkQueue({ process: c.process, onDepthChange: (d) => depths.push(d) });
  q.add('a');
  q.add('b');
  await flush();
  let finished = false;
  const done = q.shutDown().then(() => {
    finished = true;
  });
  await flush();
  assert.equal(finished, false, 'waits for the running key');
  q.add('c');
  c.calls[0]?.resolve();
  await done;
  assert.deepEqual(c.calls.map((x) => x.key), ['a']);
  assert.equal(q.depth(), 0);
  assert.equal(depths.at(-1), 0);
  assert.ok(depths.includes(1), 'depth gauge saw the waiting key');
});

test('a failure during shutdown is not scheduled for retry', async () => {
  const clock = manualClock();
  const c = controllable();
  const q = createWorkQueue({ clock, process: c.process });
  q.add('a');
  await flush();
  const done = q.shutDown();
  c.calls[0]?.reject(new Error('cancelled'));
  await done;
  assert.equal(clock.pendingTimers(), 0);
});

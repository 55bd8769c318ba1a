import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flush, manualClock } from '../test/fixtures/manual-clock.js';
import { createTrigger } from './trigger.js';

function gate() {
  let open = () => {};
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { p, open };
}

test('fires during a running pass coalesce into exactly one more pass', async () => {
  const gates = [gate(), gate()];
  let n = 0;
  const t = createTrigger({ runPass: () => (gates[n++] ?? gate()).p, clock: manualClock() });
  t.fire();
  await flush();
  t.fire();
  t.fire();
  t.fire();
  gates[0]?.open();
  await flush();
  assert.equal(t.passes, 2);
  gates[1]?.open();
  await t.idle();
  assert.equal(t.passes, 2);
});

test('passes never overlap', async () => {
  let active = 0;
  let maxActive = 0;
  const t = createTrigger({
    clock: manualClock(),
    runPass: async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await flush();
      active--;
    },
  });
  for (let i = 0; i < 5; i++) {
    t.fire();
    await new Promise<void>((r) => setImmediate(r));
  }
  await t.idle();
  assert.equal(maxActive, 1);
});

test('a resync pass runs the interval after the previous pass ended', async () => {
  const clock = manualClock();
  const starts: number[] = [];
  const t = createTrigger({ clock, resyncIntervalMs: 10_000, runPass: async () => void starts.push(clock.now()) });
  const t0 = clock.now();
  t.fire();
  await clock.advance(25_000);
  assert.deepEqual(starts.map((s) => s - t0), [0, 10_000, 20_000]);
  await t.stop();
});

test('a failed pass is retried with backoff, and success returns to the resync period', async () => {
  const clock = manualClock();
  const starts: number[] = [];
  const errors: number[] = [];
  let fail = 3;
  const t = createTrigger({
    clock,
    resyncIntervalMs: 10_000,
    backoff: { minMs: 1000, maxMs: 3000, jitter: 0 },
    onError: (_e, retryIn) => errors.push(retryIn),
    runPass: async () => {
      starts.push(clock.now());
      if (fail-- > 0) throw new Error('list entries: unavailable');
    },
  });
  const t0 = clock.now();
  t.fire();
  await clock.advance(16_500);
  assert.deepEqual(errors, [1000, 2000, 3000]);
  assert.deepEqual(starts.map((s) => s - t0), [0, 1000, 3000, 6000, 16_000]);
  await t.stop();
});

test('stop waits for the running pass, then refuses new passes and cancels timers', async () => {
  const clock = manualClock();
  const g = gate();
  const t = createTrigger({ clock, resyncIntervalMs: 1000, runPass: () => g.p });
  t.fire();
  await flush();
  let stopped = false;
  const s = t.stop().then(() => {
    stopped = true;
  });
  await flush();
  assert.equal(stopped, false);
  g.open();
  await s;
  t.fire();
  await clock.advance(5000);
  assert.equal(t.passes, 1);
  assert.equal(clock.pendingTimers(), 0);
});

test('retries never wait longer than the resync interval, however long the outage', async () => {
  const clock = manualClock();
  const starts: number[] = [];
  let failing = true;
  const t = createTrigger({
    clock,
    resyncIntervalMs: 2000,
    backoff: { minMs: 1000, maxMs: 30_000, jitter: 0 },
    runPass: async () => {
      starts.push(clock.now());
      if (failing) throw new Error('list entries: unavailable');
    },
  });
  const t0 = clock.now();
  t.fire();
  await clock.advance(60_000);
  const gaps = starts.slice(1).map((s, i) => s - (starts[i] ?? 0));
  assert.deepEqual(gaps.slice(0, 3), [1000, 2000, 2000]);
  assert.ok(gaps.every((g) => g <= 2000), `gaps ${gaps.join()}`);
  // SPIRE serves again: the next retry (at most one interval away) succeeds, then resyncs follow.
  failing = false;
  const before = starts.length;
  await clock.advance(2000);
  assert.equal(starts.length, before + 1);
  assert.ok((starts.at(-1) ?? 0) - t0 <= 62_000);
  await clock.advance(2000);
  assert.equal(starts.length, before + 2);
  await t.stop();
});

test('fireIn asks for a pass later; a pass before then takes over the timer', async () => {
  const clock = manualClock();
  const starts: number[] = [];
  const t = createTrigger({ clock, resyncIntervalMs: 10_000, runPass: async () => void starts.push(clock.now()) });
  const t0 = clock.now();
  t.fireIn(3000);
  await clock.advance(2999);
  assert.deepEqual(starts, []);
  await clock.advance(1);
  assert.deepEqual(starts.map((s) => s - t0), [3000]);
  await clock.advance(10_000);
  assert.deepEqual(starts.map((s) => s - t0), [3000, 13_000]);
  await t.stop();
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getEventListeners } from 'node:events';
import { aborted, untilAborted } from './aborted.js';

test('resolves when the signal aborts, and at once for an already aborted signal', async () => {
  const ac = new AbortController();
  let done = false;
  const waiting = aborted(ac.signal).then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false);
  ac.abort();
  await waiting;
  assert.equal(done, true);
  await aborted(AbortSignal.abort());
});

test('untilAborted: the work wins and leaves no abort listener behind, however often it runs on one signal', async () => {
  const ctl = new AbortController();
  for (let i = 0; i < 20; i++) assert.equal(await untilAborted(Promise.resolve(i), ctl.signal), i);
  assert.equal(getEventListeners(ctl.signal, 'abort').length, 0);
});

test('untilAborted: an abort ends the wait for work that never settles', async () => {
  const ctl = new AbortController();
  const waiting = untilAborted(new Promise<never>(() => {}), ctl.signal);
  assert.equal(getEventListeners(ctl.signal, 'abort').length, 1);
  ctl.abort();
  assert.equal(await waiting, undefined);
  assert.equal(getEventListeners(ctl.signal, 'abort').length, 0);
  assert.equal(await untilAborted(Promise.resolve(1), ctl.signal), undefined);
});

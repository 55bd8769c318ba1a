import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aborted } from './aborted.js';

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

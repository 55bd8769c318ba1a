import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReadiness } from './readiness.js';

test('with no checks the process is ready', () => {
  assert.deepEqual(createReadiness().report(), { ready: true, failing: [] });
});

test('ready only when every check passes; failing checks are named in order', () => {
  const r = createReadiness();
  const synced = r.flag('informers-synced');
  r.register('leadership-known', () => false);
  r.register('exploding', () => {
    throw new Error('boom');
  });
  assert.deepEqual(r.report(), { ready: false, failing: ['exploding', 'informers-synced', 'leadership-known'] });
  synced.set(true);
  assert.deepEqual(r.report().failing, ['exploding', 'leadership-known']);
});

test('unregistering removes the check', () => {
  const r = createReadiness();
  const remove = r.register('x', () => false);
  remove();
  assert.equal(r.report().ready, true);
});

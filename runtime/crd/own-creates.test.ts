// The informer's cache holds the pass's own created SpiffeID when the watch brings back that version, and
// its own projection otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aSpiffeId } from '../../test/fixtures/spiffeid.js';
import { ownCreates } from './own-creates.js';

const version = (name: string, resourceVersion: string, uid = `uid-${name}`) => aSpiffeId({ name, uid, resourceVersion });

test('the watched copy of a created SpiffeID is replaced by the created object itself, once', () => {
  const own = ownCreates();
  const created = own.created(version('a', '7'));
  const watched = version('a', '7');
  assert.notEqual(watched, created);
  assert.equal(own.watched(watched), created);
  assert.equal(own.pending(), 0);
  // Later events of that name are the cache's own projections.
  const next = version('a', '7');
  assert.equal(own.watched(next), next);
});

test('another version or another object of the same name keeps the watched projection, and forgets the created one', () => {
  const own = ownCreates();
  own.created(version('a', '7'));
  const newer = version('a', '8');
  assert.equal(own.watched(newer), newer);
  assert.equal(own.pending(), 0);
  own.created(version('b', '3', 'uid-1'));
  const other = version('b', '3', 'uid-2');
  assert.equal(own.watched(other), other);
  const unrelated = version('c', '3');
  assert.equal(own.watched(unrelated), unrelated);
});

test('created objects the watch never shows are forgotten past the limit', () => {
  const own = ownCreates(2);
  own.created(version('a', '1'));
  own.created(version('b', '1'));
  assert.equal(own.pending(), 2);
  own.created(version('c', '1'));
  assert.equal(own.pending(), 1);
  const a = version('a', '1');
  assert.equal(own.watched(a), a);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DesiredStatus } from '../../handlers/spiffeid-reconcile/status.js';
import { WrittenFrom } from './written-from.js';

const target = { namespace: 'spire', name: 'web', resourceVersion: '5' };
const status: DesiredStatus = { entryId: 'e1', conditions: [] };
const at = (resourceVersion?: string) => ({ metadata: resourceVersion === undefined ? {} : { resourceVersion } });

test('a write is remembered for the version it was guarded by, and forgotten once the informer holds another or none', () => {
  const w = new WrittenFrom();
  w.record(target, 'addFinalizer');
  w.record(target, status);
  assert.ok(w.has(target, 'addFinalizer'));
  assert.ok(w.has(target, status));
  assert.ok(!w.has(target, 'releaseFinalizer'));
  // The same version again (a re-list that found it equal): still remembered.
  w.settle('spire/web', at('5'));
  assert.equal(w.size, 1);
  // Another object's change settles nothing of this one.
  w.settle('spire/db', at('9'));
  assert.equal(w.size, 1);
  // The watch brought our write back.
  w.settle('spire/web', at('6'));
  assert.equal(w.size, 0);
  assert.ok(!w.has(target, 'addFinalizer'));
  w.record(target, 'addFinalizer');
  // Gone from the informer, or held without a version.
  w.settle('spire/web', undefined);
  assert.equal(w.size, 0);
  w.record(target, 'addFinalizer');
  w.settle('spire/web', at(undefined));
  assert.equal(w.size, 0);
});

test('a write made without a resourceVersion is not remembered; a look at a newer version forgets the older one', () => {
  const w = new WrittenFrom();
  w.record({ namespace: 'spire', name: 'web' }, 'addFinalizer');
  assert.equal(w.size, 0);
  w.record(target, 'addFinalizer');
  assert.ok(!w.has({ ...target, resourceVersion: '7' }, 'addFinalizer'));
  assert.equal(w.size, 0);
});

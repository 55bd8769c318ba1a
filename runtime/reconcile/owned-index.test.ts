import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconcileOwnership } from '../../handlers/entries/ownership.js';
import { aPodEntry, ROOT } from '../../test/fixtures/reconcile-entries.js';
import { OwnedIndex } from './owned-index.js';

const own = reconcileOwnership(ROOT, 'k8stest');
const pod = (name: string, id: string, spiffe = name) => ({ ...aPodEntry('ns', name, spiffe), id });
const foreign = { ...aPodEntry('ns', 'x', 'x', { parentId: 'spiffe://example.org/someone' }), id: 'f' };

test('a reload fed page by page holds only owned entries, grouped by object, once committed', () => {
  const index = new OwnedIndex(own);
  const r = index.reload();
  r.add([pod('a', '1'), foreign]);
  r.add([pod('b', '2'), pod('a', '3', 'a2')]);
  r.add([]);
  assert.equal(index.loaded, false);
  const owned = r.commit();
  assert.equal(index.loaded, true);
  assert.deepEqual(owned.map((e) => e.id).sort(), ['1', '2', '3']);
  assert.deepEqual(index.entriesOf('pod/ns/a').map((e) => e.id).sort(), ['1', '3']);
  assert.deepEqual(index.entries().map((e) => e.id).sort(), ['1', '2', '3']);
  assert.equal(index.size, 3);
});

test('a reload keeps the held object for an unchanged entry and takes the listed one for a changed entry', () => {
  const index = new OwnedIndex(own);
  const a = pod('a', '1');
  const b = pod('b', '2');
  index.reset([a, b]);
  const r = index.reload();
  const aAgain = { ...a, selectors: a.selectors.map((s) => ({ ...s })) };
  const bChanged = { ...b, revisionNumber: b.revisionNumber + 1 };
  r.add([aAgain, bChanged]);
  r.commit();
  assert.equal(index.entriesOf('pod/ns/a')[0], a);
  assert.equal(index.entriesOf('pod/ns/b')[0], bChanged);
});

test('until commit the index answers from the previous listing; entries gone from the listing are dropped', () => {
  const index = new OwnedIndex(own);
  index.reset([pod('a', '1'), pod('b', '2')]);
  const r = index.reload();
  r.add([pod('b', '2')]);
  assert.deepEqual(index.entriesOf('pod/ns/a').map((e) => e.id), ['1']);
  r.commit();
  assert.deepEqual(index.entriesOf('pod/ns/a'), []);
  assert.equal(index.size, 1);
  assert.throws(() => r.add([]), /already committed/);
});

test('put replaces an entry by id (moving it between objects) and ignores foreign or unsaved entries; remove forgets it', () => {
  const index = new OwnedIndex(own);
  index.put(pod('a', '1'));
  index.put({ ...pod('b', '1') });
  index.put(foreign);
  index.put(pod('c', ''));
  assert.deepEqual(index.entriesOf('pod/ns/a'), []);
  assert.deepEqual(index.entriesOf('pod/ns/b').map((e) => e.id), ['1']);
  assert.equal(index.size, 1);
  index.remove('1');
  assert.equal(index.size, 0);
  assert.deepEqual(index.entriesOf('pod/ns/b'), []);
});

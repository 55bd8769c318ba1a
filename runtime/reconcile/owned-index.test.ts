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

test('writes made while a reload is open are replayed onto the listing at commit, whichever page they fell on', () => {
  const index = new OwnedIndex(own);
  index.reset([pod('a', '1'), pod('b', '2'), pod('c', '3')]);
  const r = index.reload();
  r.add([pod('a', '1'), pod('b', '2')]); // page read before the writes below
  index.remove('2'); // deleted after its page was read
  index.put(pod('d', '4')); // created after the position it would have been listed at
  index.put(pod('e', '5'));
  index.remove('5'); // created and deleted during the listing
  index.remove('3'); // deleted before its page was read: not in the next page
  r.add([pod('d', '4')]); // created before its page was read: listed too
  assert.deepEqual(index.entries().map((e) => e.id).sort(), ['1', '4'], 'the live index follows the writes meanwhile');
  const owned = r.commit();
  assert.deepEqual(owned.map((e) => e.id).sort(), ['1', '4']);
  assert.deepEqual(index.entriesOf('pod/ns/d').map((e) => e.id), ['4']);
  assert.deepEqual(index.entriesOf('pod/ns/b'), []);
  assert.equal(index.loaded, true);
});

test('an index invalidated while a reload is open stays unloaded after the commit; an abandoned reload records nothing more', () => {
  const index = new OwnedIndex(own);
  index.reset([pod('a', '1')]);
  const r = index.reload();
  index.invalidate();
  r.add([pod('a', '1')]);
  r.commit();
  assert.equal(index.loaded, false);

  const abandoned = index.reload();
  abandoned.abandon();
  assert.throws(() => abandoned.commit(), /already committed/);
  const next = index.reload();
  index.put(pod('b', '2'));
  next.add([pod('a', '1')]);
  next.commit();
  assert.equal(index.loaded, true);
  assert.deepEqual(index.entries().map((e) => e.id).sort(), ['1', '2']);
});

test('heldObjectOf names the object of the very entry held, and nothing for a copy or an unknown entry', () => {
  const index = new OwnedIndex(own);
  index.reset([pod('a', '1')]);
  const [held] = index.entries();
  assert.equal(index.heldObjectOf(held!), 'pod/ns/a');
  assert.equal(index.heldObjectOf({ ...held! }), undefined);
  assert.equal(index.heldObjectOf(pod('b', '2')), undefined);
});

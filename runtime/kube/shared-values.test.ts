// The values informer projections share: an interner that returns equal strings, the frozen empties, and
// the pick and list helpers built on them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../../handlers/entries/entry.js';
import { compactEntry, createInterner, EMPTY_LIST, EMPTY_MAP, internList, pickInterned } from './shared-values.js';

test('an interner returns an equal string, also past its bound (the table starts again empty)', () => {
  const intern = createInterner(2);
  const seen = ['a', 'b', 'c', 'a', 'b', 'c', 'd'].map((s) => intern(`${s}-${'x'.repeat(20)}`));
  assert.deepEqual(seen.map((s) => s[0]), ['a', 'b', 'c', 'a', 'b', 'c', 'd']);
});

test('the shared empties are frozen', () => {
  assert.ok(Object.isFrozen(EMPTY_LIST) && Object.isFrozen(EMPTY_MAP));
  assert.throws(() => EMPTY_LIST.push('x'), TypeError);
  assert.throws(() => {
    EMPTY_MAP.x = 'y';
  }, TypeError);
});

test('pickInterned keeps only the named own keys, and gives the shared empty map when none is there', () => {
  const intern = createInterner();
  assert.deepEqual(pickInterned(intern, { a: '1', b: '2', c: '3' }, ['a', undefined, 'c', 'z']), { a: '1', c: '3' });
  assert.equal(pickInterned(intern, { b: '2' }, ['a']), EMPTY_MAP);
  assert.equal(pickInterned(intern, null, ['a']), EMPTY_MAP);
  assert.equal(pickInterned(intern, {}, ['constructor', 'toString']), EMPTY_MAP, 'inherited properties are not labels');
});

test('internList copies a list, and gives the shared empty list for an empty or missing one', () => {
  const intern = createInterner();
  const list = ['a', 'b'];
  const out = internList(intern, list);
  assert.deepEqual(out, ['a', 'b']);
  assert.notEqual(out, list);
  assert.equal(internList(intern, []), EMPTY_LIST);
  assert.equal(internList(intern, null), EMPTY_LIST);
});

test('a compacted entry equals the entry, every field kept', () => {
  const intern = createInterner();
  const e = newEntry({
    id: 'e-1',
    spiffeId: 'spiffe://example.org/web',
    parentId: 'spiffe://example.org/node',
    selectors: [{ type: 'k8s', value: 'ns:default' }],
    federatesWith: ['other.org'],
    dnsNames: ['web'],
    x509SvidTtl: 60,
    jwtSvidTtl: 30,
    admin: true,
    downstream: true,
    expiresAt: 5,
    revisionNumber: 7,
    storeSvid: true,
    hint: 'h',
    createdAt: 1_764_000_000,
    additionalAttributes: { disableX509SvidPrefetch: true, jwtSvidIncludeJti: false },
  });
  assert.deepStrictEqual(compactEntry(intern, e), e);
  const bare = newEntry({ spiffeId: 'spiffe://example.org/a', parentId: 'spiffe://example.org/b', selectors: [] });
  assert.deepStrictEqual(compactEntry(intern, bare), bare);
});

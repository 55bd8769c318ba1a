import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffEntries, isEmptyPlan, type DeclaredEntry, type EntryPlan } from './diff-entries.js';
import type { Entry } from './entry.js';
import { entryKey } from './entry-key.js';
import { reconcileOwnership } from './ownership.js';
import { aNodeEntry, aPodEntry, ROOT } from '../../test/fixtures/reconcile-entries.js';

const own = reconcileOwnership(ROOT, 'k8stest');
const declare = (entry: Entry, source = 'x'): DeclaredEntry => ({ entry, source });
const withId = (e: Entry, id: string): Entry => ({ ...e, id });

/** A tiny store that applies a plan the way SPIRE would (delete -> create -> update). */
function apply(store: Entry[], plan: EntryPlan, ids: { next: number }): Entry[] {
  const gone = new Set(plan.delete.map((e) => e.id));
  const out = store.filter((e) => !gone.has(e.id));
  for (const c of plan.create) {
    assert.ok(!out.some((e) => entryKey(e) === entryKey(c)), 'create of a similar entry');
    out.push({ ...c, id: `id-${String(ids.next++).padStart(4, '0')}` });
  }
  for (const u of plan.update) {
    const i = out.findIndex((e) => e.id === u.id);
    assert.ok(i >= 0, `update of unknown ${u.id}`);
    out[i] = u;
  }
  return out;
}

test('nothing current: every declared entry is created, sorted by key', () => {
  const plan = diffEntries([declare(aPodEntry('b', 'p', 'b')), declare(aNodeEntry('n1')), declare(aPodEntry('a', 'p', 'a'))], [], own);
  assert.deepEqual(plan.create.map((e) => e.spiffeId), [
    'spiffe://example.org/a',
    'spiffe://example.org/b',
    `${ROOT}/n1`,
  ]);
  assert.deepEqual([plan.update, plan.delete, plan.masked], [[], [], []]);
});

test('an unchanged entry plans nothing, whatever the order of selectors and DNS names', () => {
  const want = aPodEntry('ns', 'p', 'w', { dnsNames: ['a', 'b'] });
  const have = withId({ ...want, selectors: [...want.selectors].reverse(), dnsNames: ['b', 'a'] }, 'e1');
  assert.equal(isEmptyPlan(diffEntries([declare(want)], [have], own)), true);
});

test('a change to DNS names is an update that reuses the current ID, never delete + create', () => {
  const have = withId(aPodEntry('ns', 'p', 'w', { dnsNames: ['old'] }), 'e1');
  const want = aPodEntry('ns', 'p', 'w', { dnsNames: ['new'] });
  assert.deepEqual(diffEntries([declare(want)], [have], own), { create: [], update: [withId(want, 'e1')], delete: [], masked: [] });
});

for (const [field, value] of [['x509SvidTtl', 60], ['jwtSvidTtl', 60], ['federatesWith', ['other.org']], ['admin', true], ['downstream', true], ['hint', 'h'], ['storeSvid', true], ['expiresAt', 9]] as const) {
  test(`a change to ${field} is an update`, () => {
    const have = withId(aPodEntry('ns', 'p', 'w'), 'e1');
    const want = { ...aPodEntry('ns', 'p', 'w'), [field]: value };
    assert.deepEqual(diffEntries([declare(want)], [have], own).update, [withId(want, 'e1')]);
  });
}

test('federatesWith compares bare and spiffe:// trust domains as the same set', () => {
  const have = withId(aPodEntry('ns', 'p', 'w', { federatesWith: ['b.org', 'a.org'] }), 'e1');
  const want = aPodEntry('ns', 'p', 'w', { federatesWith: ['spiffe://a.org', 'b.org'] });
  assert.equal(isEmptyPlan(diffEntries([declare(want)], [have], own)), true);
});

test('revision number and creation time are not content', () => {
  const have = withId(aPodEntry('ns', 'p', 'w', { revisionNumber: 4, createdAt: 1700000000 }), 'e1');
  assert.equal(isEmptyPlan(diffEntries([declare(aPodEntry('ns', 'p', 'w'))], [have], own)), true);
});

test('duplicates for one key: the lowest ID is kept (and updated), the rest deleted', () => {
  const want = aPodEntry('ns', 'p', 'w', { dnsNames: ['d'] });
  const dupes = [withId(aPodEntry('ns', 'p', 'w'), 'c'), withId(aPodEntry('ns', 'p', 'w'), 'a'), withId(aPodEntry('ns', 'p', 'w'), 'b')];
  const plan = diffEntries([declare(want)], dupes, own);
  assert.deepEqual(plan.update, [withId(want, 'a')]);
  assert.deepEqual(plan.delete.map((e) => e.id), ['b', 'c']);
  assert.deepEqual(plan.create, []);
});

test('a changed label rewrites the SPIFFE ID of the existing entry in place (no gap without an SVID)', () => {
  const have = withId(aPodEntry('ns', 'p', 'old'), 'e1');
  const want = aPodEntry('ns', 'p', 'new');
  assert.deepEqual(diffEntries([declare(want)], [have], own), { create: [], update: [withId(want, 'e1')], delete: [], masked: [] });
});

test('a pod name reused on another node rewrites the parent ID in place; extra entries of the object go', () => {
  const want = aPodEntry('ns', 'web-0', 'web', { parentId: `${ROOT}/n2` });
  const have = [withId(aPodEntry('ns', 'web-0', 'web'), 'e2'), withId(aPodEntry('ns', 'web-0', 'other'), 'e1')];
  const plan = diffEntries([declare(want)], have, own);
  assert.deepEqual(plan.update, [withId(want, 'e1')]);
  assert.deepEqual(plan.delete.map((e) => e.id), ['e2']);
});

test('owned entries nobody declares are deleted; entries of others and join-token entries are never touched', () => {
  const mine = withId(aPodEntry('ns', 'gone', 'w'), 'e1');
  const theirs = withId(aPodEntry('ns', 'x', 'w', { parentId: 'spiffe://example.org/someone/else' }), 'e2');
  const joinToken = withId(aNodeEntry('n1', { parentId: 'spiffe://example.org/spire/agent/join_token/t' }), 'e3');
  const operator = withId(aPodEntry('ns', 'x', 'w', { selectors: [{ type: 'unix', value: 'uid:0' }] }), 'e4');
  const plan = diffEntries([], [mine, theirs, joinToken, operator], own);
  assert.deepEqual(plan.delete, [mine]);
  assert.deepEqual([plan.create, plan.update], [[], []]);
});

test('an entry of another object with the wanted key is not reused when it is not ours', () => {
  const want = aPodEntry('ns', 'p', 'w');
  const theirs = withId({ ...want, parentId: 'spiffe://example.org/elsewhere' }, 'e9');
  assert.deepEqual(diffEntries([declare(want)], [theirs], own).create, [want]);
});

test('two declared entries with one key: the first by source wins, the other is masked', () => {
  const e = aPodEntry('ns', 'p', 'w');
  const plan = diffEntries([declare(e, 'pod/ns/p#b'), declare(e, 'pod/ns/p#a')], [], own);
  assert.deepEqual(plan.create, [e]);
  assert.deepEqual(plan.masked, [declare(e, 'pod/ns/p#b')]);
});

test('idempotent: applying a plan and planning again gives an empty plan', () => {
  const declared = [
    declare(aNodeEntry('minikube')),
    declare(aNodeEntry('n2')),
    declare(aPodEntry('spire', 'agent-x', 'agent')),
    declare(aPodEntry('default', 'web', 'web', { dnsNames: ['10-0-0-1.default.pod.cluster.local'] })),
    declare(aPodEntry('default', 'relabelled', 'new')),
  ];
  let store: Entry[] = [
    withId(aNodeEntry('minikube'), 'k1'),
    withId(aNodeEntry('minikube'), 'k0'),
    withId(aNodeEntry('deleted-node'), 'k2'),
    withId(aPodEntry('default', 'web', 'web'), 'k3'),
    withId(aPodEntry('default', 'relabelled', 'old'), 'k4'),
    withId(aPodEntry('default', 'gone', 'x'), 'k5'),
    withId(aPodEntry('default', 'x', 'w', { parentId: 'spiffe://example.org/someone' }), 'k6'),
  ];
  const ids = { next: 0 };
  const first = diffEntries(declared, store, own);
  assert.equal(isEmptyPlan(first), false);
  store = apply(store, first, ids);
  assert.deepEqual(diffEntries(declared, store, own), { create: [], update: [], delete: [], masked: [] });
  assert.ok(store.some((e) => e.id === 'k6'), 'the foreign entry survives');
  assert.ok(store.some((e) => e.id === 'k0') && !store.some((e) => e.id === 'k1'), 'the lowest duplicate ID survives');
  assert.ok(store.some((e) => e.id === 'k4' && e.spiffeId === 'spiffe://example.org/new'), 'relabel kept the entry ID');
});

test('the plan does not depend on the order of its inputs', () => {
  const declared = [declare(aPodEntry('a', 'p', 'a')), declare(aPodEntry('b', 'p', 'b')), declare(aNodeEntry('n'))];
  const current = [withId(aPodEntry('a', 'p', 'x'), '2'), withId(aPodEntry('c', 'p', 'c'), '1'), withId(aNodeEntry('m'), '3')];
  assert.deepEqual(diffEntries(declared, current, own), diffEntries([...declared].reverse(), [...current].reverse(), own));
});

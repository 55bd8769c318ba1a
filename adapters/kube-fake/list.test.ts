import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listJson, selectItems, type ListQuery } from './list.js';
import { ResourceRegistry } from './resource-types.js';
import { ApiError } from './status.js';
import { ObjectStore } from './store.js';
import type { KubeObject } from './types.js';

const pods = new ResourceRegistry().byKey('pods')!;
const pod = (namespace: string, name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `uid-${namespace}-${name}`, labels },
});
const names = (page: ReturnType<typeof selectItems>) => page.items.map((o) => `${o.obj.metadata.namespace}/${o.obj.metadata.name}`);

/** Every page of a listing, following continue tokens. */
function allPages(store: ObjectStore, q: Omit<ListQuery, 'continueToken'>, between?: (page: number) => void): ReturnType<typeof selectItems>[] {
  const out: ReturnType<typeof selectItems>[] = [];
  let token: string | undefined;
  do {
    const page = selectItems(store, pods, { ...q, ...(token ? { continueToken: token } : {}) });
    out.push(page);
    token = page.continueToken;
    between?.(out.length);
  } while (token);
  return out;
}

function seeded(): ObjectStore {
  const store = new ObjectStore();
  for (const ns of ['b', 'a']) for (let i = 0; i < 5; i++) store.put('pods', pod(ns, `p${i}`, { even: String(i % 2 === 0) }));
  return store;
}

test('limit/continue pages cover every object once, in namespace/name order, with the count left', () => {
  const pages = allPages(seeded(), { labels: [], fields: [], limit: 4 });
  assert.deepEqual(pages.map(names), [['a/p0', 'a/p1', 'a/p2', 'a/p3'], ['a/p4', 'b/p0', 'b/p1', 'b/p2'], ['b/p3', 'b/p4']]);
  assert.deepEqual(pages.map((p) => p.remaining), [6, 2, undefined]);
  assert.equal(pages[2]!.continueToken, undefined);
});

test('a page that ends exactly at the last object carries no continue token', () => {
  const pages = allPages(seeded(), { labels: [], fields: [], limit: 5 });
  assert.deepEqual(pages.map((p) => p.items.length), [5, 5]);
  assert.equal(pages[1]!.continueToken, undefined);
});

test('with a selector, pages hold only matches, the last full page has no token, and no count is given', () => {
  const q = { labels: [{ key: 'even', op: 'in' as const, values: ['true'] }], fields: [], limit: 3 };
  const pages = allPages(seeded(), q);
  assert.deepEqual(pages.map(names), [['a/p0', 'a/p2', 'a/p4'], ['b/p0', 'b/p2', 'b/p4']]);
  assert.equal(pages[0]!.remaining, undefined);
  assert.equal(pages[1]!.continueToken, undefined);
  assert.doesNotMatch(listJson(pods, 'v1', pages[0]!), /remainingItemCount/);
  assert.match(listJson(pods, 'v1', allPages(seeded(), { labels: [], fields: [], limit: 3 })[0]!), /"remainingItemCount":7/);
});

test('writes between pages are seen: an object added after the position is listed, one removed is not', () => {
  const store = seeded();
  const pages = allPages(store, { labels: [], fields: [], limit: 4 }, (n) => {
    if (n !== 1) return;
    store.put('pods', pod('b', 'p9'));
    store.remove('pods', 'b', 'p0');
    store.put('pods', pod('a', 'p00')); // before the position: not listed, as with a real server's continue
  });
  assert.deepEqual(pages.flatMap(names), ['a/p0', 'a/p1', 'a/p2', 'a/p3', 'a/p4', 'b/p1', 'b/p2', 'b/p3', 'b/p4', 'b/p9']);
});

test('a namespaced listing pages within the namespace', () => {
  const pages = allPages(seeded(), { namespace: 'b', labels: [], fields: [], limit: 2 });
  assert.deepEqual(pages.flatMap(names), ['b/p0', 'b/p1', 'b/p2', 'b/p3', 'b/p4']);
});

test('a continue token that is not one is a BadRequest', () => {
  assert.throws(() => selectItems(seeded(), pods, { labels: [], fields: [], limit: 2, continueToken: 'bm90IGpzb24' }), ApiError);
});

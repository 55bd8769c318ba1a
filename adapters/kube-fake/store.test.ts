import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObjectStore, ResourceVersionTooOld, type StoreEvent } from './store.js';
import type { KubeObject } from './types.js';

const pod = (name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...extra },
});

test('every write takes the next global resourceVersion and is announced once', () => {
  const store = new ObjectStore();
  const seen: string[] = [];
  store.subscribe((e) => seen.push(`${e.type} ${e.obj.metadata.name} ${e.rv}`));
  store.put('pods', pod('a'));
  store.put('configmaps', { ...pod('c'), kind: 'ConfigMap' });
  store.put('pods', pod('a', { labels: { x: 'y' } }));
  store.remove('pods', 'ns', 'a');
  assert.deepEqual(seen, ['ADDED a 1', 'ADDED c 2', 'MODIFIED a 3', 'DELETED a 4']);
  assert.equal(store.resourceVersion, 4);
  assert.equal(store.get('pods', 'ns', 'a'), undefined);
});

test('stored JSON is the object with its resourceVersion, and the input is not mutated', () => {
  const store = new ObjectStore();
  const input = pod('a');
  const stored = store.put('pods', input);
  assert.equal(input.metadata.resourceVersion, undefined);
  assert.deepEqual(JSON.parse(stored.json), { ...input, metadata: { ...input.metadata, resourceVersion: '1' } });
});

test('list is sorted by namespace then name and can be limited to one namespace', () => {
  const store = new ObjectStore();
  store.put('pods', { ...pod('b'), metadata: { name: 'b', namespace: 'z' } });
  store.put('pods', { ...pod('c'), metadata: { name: 'c', namespace: 'a' } });
  store.put('pods', { ...pod('a'), metadata: { name: 'a', namespace: 'z' } });
  assert.deepEqual(store.list('pods').map((o) => `${o.obj.metadata.namespace}/${o.obj.metadata.name}`), ['a/c', 'z/a', 'z/b']);
  assert.deepEqual(store.list('pods', 'z').map((o) => o.obj.metadata.name), ['a', 'b']);
  assert.equal(store.count('pods'), 3);
});

test('eventsSince replays one resource after a resourceVersion; compaction makes older ones too old', () => {
  const store = new ObjectStore();
  store.put('pods', pod('a'));
  store.put('configmaps', { ...pod('c'), kind: 'ConfigMap' });
  store.put('pods', pod('b'));
  const names = (es: StoreEvent[]) => es.map((e) => e.obj.metadata.name);
  assert.deepEqual(names(store.eventsSince('pods', 0)), ['a', 'b']);
  assert.deepEqual(names(store.eventsSince('pods', 1)), ['b']);
  store.compact();
  assert.throws(() => store.eventsSince('pods', 1), ResourceVersionTooOld);
  assert.deepEqual(store.eventsSince('pods', 3), []);
});

test('history beyond the limit is forgotten: watches from before it are too old', () => {
  const store = new ObjectStore(2);
  for (const n of ['a', 'b', 'c', 'd']) store.put('pods', pod(n));
  assert.throws(() => store.eventsSince('pods', 1), ResourceVersionTooOld);
  assert.deepEqual(store.eventsSince('pods', 2).map((e) => e.obj.metadata.name), ['c', 'd']);
});

test('dependents are indexed by owner uid and follow updates and removals', () => {
  const store = new ObjectStore();
  const owned = (name: string, owner: string) => pod(name, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}` }] });
  store.put('pods', owned('p1', 'rs'));
  store.put('pods', owned('p2', 'rs'));
  assert.deepEqual(store.dependentsOf('uid-rs').map((d) => d.name).sort(), ['p1', 'p2']);
  store.put('pods', pod('p1'));
  store.remove('pods', 'ns', 'p2');
  assert.deepEqual(store.dependentsOf('uid-rs'), []);
  assert.equal(store.getByUid('uid-p1')?.name, 'p1');
});

test('the sorted view follows writes (it is rebuilt after any write to the resource) and list returns a copy', () => {
  const store = new ObjectStore();
  store.put('pods', pod('b'));
  const before = store.sorted('pods');
  store.put('pods', pod('a'));
  assert.deepEqual(store.sorted('pods').map((o) => o.obj.metadata.name), ['a', 'b']);
  assert.deepEqual(before.map((o) => o.obj.metadata.name), ['b']);
  store.put('pods', pod('a', { labels: { v: '2' } }));
  assert.deepEqual(store.sorted('pods', 'ns')[0]!.obj.metadata.labels, { v: '2' });
  store.remove('pods', 'ns', 'b');
  assert.deepEqual(store.sorted('pods').map((o) => o.obj.metadata.name), ['a']);
  const copy = store.list('pods');
  copy.pop();
  assert.equal(store.sorted('pods').length, 1);
});

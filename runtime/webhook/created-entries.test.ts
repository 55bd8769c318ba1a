import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../../handlers/entries/entry.js';
import { CreatedEntries } from './created-entries.js';

const parentId = 'spiffe://example.org/k8s-workload-registrar/k8stest/node';
const sel = (pod: string) => [{ type: 'k8s', value: 'ns:spire' }, { type: 'k8s', value: `pod-name:${pod}` }];
const entry = (id: string, pod: string) => ({ ...newEntry({ spiffeId: 'spiffe://example.org/w', parentId, selectors: sel(pod) }), id });

test('take returns the entry remembered for the pod UID once, then forgets it', () => {
  const c = new CreatedEntries(10);
  c.remember('uid-a', entry('id-a', 'a'));
  assert.equal(c.take('uid-a', parentId, sel('a'))?.id, 'id-a');
  assert.equal(c.take('uid-a', parentId, sel('a')), undefined);
  assert.equal(c.size, 0);
});

test('selector order does not matter; another parent or selector set is no match (and is forgotten)', () => {
  const c = new CreatedEntries(10);
  c.remember('uid-a', entry('id-a', 'a'));
  assert.equal(c.take('uid-a', parentId, [...sel('a')].reverse())?.id, 'id-a');
  c.remember('uid-a', entry('id-a', 'a'));
  assert.equal(c.take('uid-a', parentId, sel('b')), undefined);
  c.remember('uid-a', entry('id-a', 'a'));
  assert.equal(c.take('uid-a', `${parentId}/other`, sel('a')), undefined);
  assert.equal(c.size, 0);
});

test('beyond capacity the least recently remembered pod is forgotten first', () => {
  const c = new CreatedEntries(2);
  c.remember('uid-a', entry('id-a', 'a'));
  c.remember('uid-b', entry('id-b', 'b'));
  c.remember('uid-a', entry('id-a', 'a')); // remembered again: now the newest
  c.remember('uid-c', entry('id-c', 'c'));
  assert.equal(c.size, 2);
  assert.equal(c.take('uid-b', parentId, sel('b')), undefined);
  assert.equal(c.take('uid-a', parentId, sel('a'))?.id, 'id-a');
  assert.equal(c.take('uid-c', parentId, sel('c'))?.id, 'id-c');
});

test('no UID, no entry ID or a capacity of 0 remembers nothing', () => {
  const c = new CreatedEntries(10);
  c.remember('', entry('id-a', 'a'));
  c.remember('uid-a', entry('', 'a'));
  const none = new CreatedEntries(0);
  none.remember('uid-a', entry('id-a', 'a'));
  assert.deepEqual([c.size, none.size, c.take('', parentId, sel('a'))], [0, 0, undefined]);
});

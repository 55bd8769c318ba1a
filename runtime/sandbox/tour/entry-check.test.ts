import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../../../handlers/entries/entry.js';
import { checkEntries } from './entry-check.js';

const node = 'spiffe://example.org/k8s-workload-registrar/k8stest/node';
const server = 'spiffe://example.org/spire/server';
const entry = (spiffeId: string, parentId: string, ...selectors: [string, string][]) =>
  newEntry({ id: `id-${spiffeId}`, spiffeId, parentId, selectors: selectors.map(([type, value]) => ({ type, value })) });

test('selector order, entry IDs and DNS names do not matter', () => {
  const actual = [{ ...entry(node, server, ['k8s_psat', 'cluster:k8stest'], ['a', 'b']), dnsNames: ['x'] }];
  assert.deepEqual(checkEntries(actual, [{ spiffeId: node, parentId: server, selectors: ['a:b', 'k8s_psat:cluster:k8stest'] }]), { ok: true, missing: [], extra: [] });
});

test('a missing and an extra entry are both reported', () => {
  const actual = [entry('spiffe://example.org/a', node, ['k8s', 'ns:spire'])];
  const check = checkEntries(actual, [{ spiffeId: 'spiffe://example.org/b', parentId: node, selectors: ['k8s:ns:spire'] }]);
  assert.equal(check.ok, false);
  assert.deepEqual(check.missing, [`spiffe://example.org/b <- ${node} [k8s:ns:spire]`]);
  assert.deepEqual(check.extra, [`spiffe://example.org/a <- ${node} [k8s:ns:spire]`]);
});

test('a duplicate of an expected entry is extra', () => {
  const e = entry('spiffe://example.org/a', node, ['k8s', 'ns:spire']);
  const check = checkEntries([e, { ...e, id: 'other' }], [{ spiffeId: 'spiffe://example.org/a', parentId: node, selectors: ['k8s:ns:spire'] }]);
  assert.deepEqual([check.ok, check.extra.length], [false, 1]);
});

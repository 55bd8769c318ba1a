import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from './entry.js';
import { isJoinTokenEntry, reconcileOwnership } from './ownership.js';
import { selector } from './selectors.js';
import { aNodeEntry, aPodEntry, ROOT } from '../../test/fixtures/reconcile-entries.js';

const own = reconcileOwnership(ROOT, 'k8stest');

const cases: [string, Parameters<typeof own.objectOf>[0], string | undefined][] = [
  ['a node entry under the root names its node', aNodeEntry('n1'), 'node/n1'],
  ['a pod entry parented under the root names its pod', aPodEntry('default', 'web-0', 'web'), 'pod/default/web-0'],
  ['selector order does not matter', { ...aPodEntry('ns', 'p', 'x'), selectors: [...aPodEntry('ns', 'p', 'x').selectors].reverse() }, 'pod/ns/p'],
  ['a pod entry parented elsewhere is not ours', aPodEntry('default', 'web-0', 'web', { parentId: 'spiffe://example.org/spire/agent/k8s_psat/k8stest/x' }), undefined],
  ['a root with a longer last segment is not the root', aPodEntry('default', 'web-0', 'web', { parentId: `${ROOT}s/minikube` }), undefined],
  ['another trust domain is not ours', aPodEntry('default', 'web-0', 'web', { parentId: 'spiffe://other.org/spire-k8s-registrar/k8stest/node/minikube' }), undefined],
  ['an operator entry parented to a node entry with other selectors is not ours', aPodEntry('default', 'web-0', 'web', { selectors: [selector('unix', 'uid:0')] }), undefined],
  ['a pod entry with an extra selector is not ours', aPodEntry('default', 'web-0', 'web', { selectors: [...aPodEntry('default', 'web-0', 'web').selectors, selector('k8s', 'sa:web')] }), undefined],
  ['a pod entry naming two pods is not ours', aPodEntry('default', 'web-0', 'web', { selectors: [selector('k8s', 'ns:a'), selector('k8s', 'pod-name:x'), selector('k8s', 'pod-name:y')] }), undefined],
  ['a node entry of another cluster selector is not ours', aNodeEntry('n1', { selectors: [selector('k8s_psat', 'agent_node_name:n1'), selector('k8s_psat', 'cluster:other')] }), undefined],
  ['a join-token entry is never ours, even parented under the root', { spiffeId: `${ROOT}/n1`, parentId: 'spiffe://example.org/spire/agent/join_token/abc', selectors: aNodeEntry('n1').selectors }, undefined],
];

for (const [name, entry, object] of cases) {
  test(`ownership: ${name}`, () => {
    assert.equal(own.objectOf(entry), object);
  });
}

test('isJoinTokenEntry looks at the parent path, parsed', () => {
  assert.equal(isJoinTokenEntry(newEntry({ spiffeId: 'spiffe://example.org/a', parentId: 'spiffe://example.org/spire/agent/join_token/t', selectors: [] })), true);
  assert.equal(isJoinTokenEntry(newEntry({ spiffeId: 'spiffe://example.org/a', parentId: 'spiffe://example.org/x/spire/agent/join_token/t', selectors: [] })), false);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../entries/entry.js';
import { selector } from '../entries/selectors.js';
import { aNode } from '../../test/fixtures/k8s-objects.js';
import { nodeEntries, nodeRootId } from './node-entries.js';

const cfg = { trustDomain: 'example.org', controllerName: 'spire-k8s-registrar', cluster: 'k8stest' };

test('one entry per node: SPIFFE ID under the root, parented to the server, node and cluster selectors', () => {
  assert.deepEqual(nodeEntries([aNode({ name: 'minikube' })], cfg), {
    declared: [
      {
        source: 'node/minikube',
        entry: newEntry({
          spiffeId: 'spiffe://example.org/spire-k8s-registrar/k8stest/node/minikube',
          parentId: 'spiffe://example.org/spire/server',
          selectors: [selector('k8s_psat', 'agent_node_name:minikube'), selector('k8s_psat', 'cluster:k8stest')],
        }),
      },
    ],
    issues: [],
  });
});

test('the root ID is spiffe://<td>/<controller_name>/<cluster>/node', () => {
  assert.equal(nodeRootId({ ...cfg, controllerName: 'reg' }), 'spiffe://example.org/reg/k8stest/node');
});

test('a node whose name cannot be a path segment yields an issue, not an entry, and the others still render', () => {
  const out = nodeEntries([aNode({ name: 'bad name' }), aNode({ name: 'ok' })], cfg);
  assert.deepEqual(out.declared.map((d) => d.source), ['node/ok']);
  assert.equal(out.issues.length, 1);
  assert.equal(out.issues[0]?.object, 'node/bad name');
});

test('federates_with comes from the node\'s spiffe.io/federatesWith annotation (as the original read it on nodes too)', () => {
  const node = aNode({ name: 'minikube', annotations: { 'spiffe.io/federatesWith': 'a.test, b.test,' } });
  assert.deepEqual(nodeEntries([node], cfg).declared[0]?.entry.federatesWith, ['a.test', 'b.test']);
  assert.deepEqual(nodeEntries([aNode({ name: 'minikube' })], cfg).declared[0]?.entry.federatesWith, []);
});

test('a node whose federatesWith names an invalid trust domain yields an issue, not an entry', () => {
  const out = nodeEntries([aNode({ name: 'minikube', annotations: { 'spiffe.io/federatesWith': 'not a domain' } })], cfg);
  assert.deepEqual(out.declared, []);
  assert.equal(out.issues[0]?.object, 'node/minikube');
  assert.match(out.issues[0]?.reason ?? '', /federatesWith" item "not a domain" is not a trust domain/);
});

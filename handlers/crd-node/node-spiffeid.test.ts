import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSelector } from '../entries/selectors.js';
import { aNode } from '../../test/fixtures/k8s-objects.js';
import { spiffeIdSelectors } from '../spiffeid/selectors.js';
import { nodeSpiffeId } from './node-spiffeid.js';

const cfg = { trustDomain: 'example.org', cluster: 'k8stest', registrarNamespace: 'spire' };

test('tutorial node: SpiffeID named after the node in the registrar namespace, parented to the server', () => {
  const out = nodeSpiffeId(aNode({ name: 'minikube', uid: 'node-uid-1' }), cfg);
  assert.equal(out.kind, 'declare');
  if (out.kind !== 'declare') return;
  const d = out.spiffeId;
  assert.equal(d.namespace, 'spire');
  assert.equal(d.name, 'minikube');
  assert.deepEqual(d.labels, { nodeUid: 'node-uid-1' });
  assert.deepEqual(d.owner, { apiVersion: 'v1', kind: 'Node', name: 'minikube', uid: 'node-uid-1', controller: true, blockOwnerDeletion: false });
  assert.equal(d.spec.parentId, 'spiffe://example.org/spire/server');
  assert.equal(d.spec.spiffeId, 'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube');
  assert.deepEqual(spiffeIdSelectors(d.spec.selector).map(formatSelector), [
    'k8s_psat:cluster:k8stest',
    'k8s_psat:agent_node_uid:node-uid-1',
  ]);
});

test('a node name that cannot be a path segment is reported, not declared', () => {
  assert.equal(nodeSpiffeId(aNode({ name: 'bad name' }), cfg).kind, 'invalid');
});

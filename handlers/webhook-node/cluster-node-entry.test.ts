import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../entries/entry.js';
import { clusterNodeEntry, clusterNodeId } from './cluster-node-entry.js';

test('the cluster node entry is parented to the server and selects every PSAT agent of the cluster', () => {
  assert.deepEqual(
    clusterNodeEntry({ trustDomain: 'example.org', cluster: 'k8stest' }),
    newEntry({
      spiffeId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node',
      parentId: 'spiffe://example.org/spire/server',
      selectors: [{ type: 'k8s_psat', value: 'cluster:k8stest' }],
    }),
  );
});

test('the cluster node ID names the cluster', () => {
  assert.equal(clusterNodeId({ trustDomain: 'td.test', cluster: 'c1' }), 'spiffe://td.test/k8s-workload-registrar/c1/node');
});

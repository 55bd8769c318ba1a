import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { newEntry, type Entry } from '../entries/entry.js';
import { selector } from '../entries/selectors.js';
import { clusterNodeEntry, clusterNodeId } from '../webhook-node/cluster-node-entry.js';
import { planWebhook } from './webhook-plan.js';

const cfg = { trustDomain: 'example.org', cluster: 'k8stest', disabledNamespaces: ['kube-system'] };
const node = clusterNodeId(cfg);
const podEntry = (ns: string, name: string, sa: string, id: string): Entry => ({
  ...newEntry({ spiffeId: `spiffe://example.org/ns/${ns}/sa/${sa}`, parentId: node, selectors: [selector('k8s', `ns:${ns}`), selector('k8s', `pod-name:${name}`)] }),
  id,
});

test('catch-up: the cluster node entry and pod entries that are missing are created, entries of gone pods deleted', () => {
  const p = planWebhook([aPod({ name: 'web-0', namespace: 'default', serviceAccount: 'web' }), aPod({ name: 'sys', namespace: 'kube-system' })], [podEntry('default', 'old-0', 'old', 'e1')], cfg);
  assert.deepEqual(p.create.map((c) => [c.entry.spiffeId, c.reason]), [
    [node, 'no cluster node entry'],
    ['spiffe://example.org/ns/default/sa/web', 'no entry for pod default/web-0'],
  ]);
  assert.deepEqual(p.delete.map((c) => [c.entry.id, c.reason]), [['e1', 'no pod']]);
});

test('entries of live pods and entries not parented to the cluster node entry are never deleted', () => {
  const foreign = { ...newEntry({ spiffeId: 'spiffe://example.org/x', parentId: 'spiffe://example.org/spire/server', selectors: [selector('k8s', 'ns:default'), selector('k8s', 'pod-name:gone')] }), id: 'f' };
  const p = planWebhook(
    [aPod({ name: 'web-0', namespace: 'default', serviceAccount: 'web' })],
    [{ ...clusterNodeEntry(cfg), id: 'n' }, podEntry('default', 'web-0', 'web', 'e1'), foreign],
    cfg,
  );
  assert.deepEqual([p.create.length, p.update.length, p.delete.length], [0, 0, 0]);
  assert.deepEqual(p.leftAlone.map((c) => c.entry.id), ['f']);
});

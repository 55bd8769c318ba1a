// Parity with mode-reconcile/controllers/node_controller_test.go (both upstream trees): a node gets an
// entry while it exists, and a node deleted while the registrar was not watching still loses its entry.
// Here: the reconcile-mode runtime against the fake API server and the in-memory SPIRE server over its
// Unix socket (one of each for the file). The original's test used the root path /foo/node; ours is
// the default root, spiffe://<td>/<controller_name>/<cluster>/node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT, startWorld } from '../integration/reconcile-harness.js';

test('mode-reconcile node_controller_test.go', async (t) => {
  const w = await startWorld(t);
  const nodeEntries = (name: string) => w.entries().filter((e) => e.spiffeId === `${ROOT}/${name}`);

  await t.test('TestAddRemoveNode', async () => {
    const reg = await w.startRegistrar({ resyncIntervalMs: 600_000 });
    await reg.ready;
    w.putNode('foo');
    await w.waitFor('the node entry', () => nodeEntries('foo').length === 1);
    const [entry] = nodeEntries('foo');
    assert.equal(entry?.parentId, 'spiffe://example.org/spire/server');
    assert.deepEqual(entry?.selectors.map((s) => `${s.type}:${s.value}`).sort(), ['k8s_psat:agent_node_name:foo', 'k8s_psat:cluster:k8stest']);

    w.kube.store.deleteObject('v1', 'Node', 'foo', '');
    await w.waitFor('the node entry removed', () => nodeEntries('foo').length === 0);
    await reg.stop();
  });

  await t.test('TestRequeuesMissingNode: a node deleted while the registrar was down', async () => {
    w.putNode('foo');
    const first = await w.startRegistrar({ resyncIntervalMs: 600_000 });
    await first.ready;
    await w.waitFor('the node entry', () => nodeEntries('foo').length === 1);
    await first.stop();

    w.kube.store.deleteObject('v1', 'Node', 'foo', '');
    const second = await w.startRegistrar({ resyncIntervalMs: 600_000 });
    await second.ready;
    await w.waitFor('the stale node entry removed at start-up', () => nodeEntries('foo').length === 0);
    await second.stop();
  });
});

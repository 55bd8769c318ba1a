// Reconcile mode across SPIRE outages: the SPIRE server's socket goes away and comes back, with its data
// or empty. Whatever changed in the cluster meanwhile, the final entry set is exactly the declared one
// plus the entries the registrar does not own, untouched: nothing lost, duplicated or orphaned.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../../handlers/entries/entry.js';
import { selector } from '../../handlers/entries/selectors.js';
import { describeEntries, ROOT, startWorld } from '../integration/reconcile-harness.js';
import { restartable } from './spire-restart.js';

const labelled = (name: string) => ({ name, namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': name } });
const podEntry = (name: string) => `spiffe://example.org/${name} <- ${ROOT}/minikube [k8s:ns:spire k8s:pod-name:${name}]`;
const operatorEntry = newEntry({ spiffeId: 'spiffe://example.org/operator', parentId: `${ROOT}/minikube`, selectors: [selector('unix', 'uid:0')] });
const operator = `spiffe://example.org/operator <- ${ROOT}/minikube [unix:uid:0]`;
/** The SPIRE client's warning when its channel loses the server (adapters/spire/connect.ts). */
const LOST = 'SPIRE connection lost; reconnecting';

test('SPIRE down and back with its data: what changed meanwhile is applied, the operator entry survives', async (t) => {
  const w = await startWorld(t);
  const spire = restartable(t, w.spire);
  w.putNode('minikube');
  w.putPod(labelled('a'));
  w.putPod(labelled('b'));
  await spire.server.entryStore.createEntries([operatorEntry]);
  // A resync far away: recovery must come from the reconnect and the capped retry, not a periodic pass.
  const reg = await w.startRegistrar({ resyncIntervalMs: 60_000 });
  await reg.ready;
  const nodeLine = () => describeEntries(spire.entries()).find((e) => e.startsWith(`${ROOT}/minikube <-`));
  await w.waitFor('initial entries', () => spire.entries().length === 4);

  await spire.down();
  w.deletePod('a');
  w.putPod(labelled('c'));
  // The pass these changes start finds SPIRE gone and waits for the channel (wait-for-ready). SPIRE comes
  // back only once the registrar has seen it gone, so the test covers the outage, however loaded the machine.
  await w.waitFor('the registrar to see SPIRE gone', () => reg.logs.some((l) => l.msg === LOST));
  await spire.back();
  await w.waitFor('the changes made during the outage', () =>
    describeEntries(spire.entries()).join('\n') === [podEntry('b'), podEntry('c'), operator, nodeLine() ?? ''].sort().join('\n'));
  assert.equal(spire.entries().length, 4, 'no duplicates');
  assert.ok(nodeLine()?.includes('k8s_psat:agent_node_name:minikube'));
});

test('SPIRE back empty: every owned entry is registered again, once', async (t) => {
  const w = await startWorld(t);
  const spire = restartable(t, w.spire);
  w.putNode('minikube');
  for (const p of ['a', 'b', 'c']) w.putPod(labelled(p));
  const reg = await w.startRegistrar({ resyncIntervalMs: 60_000 });
  await reg.ready;
  await w.waitFor('initial entries', () => spire.entries().length === 4);
  const before = describeEntries(spire.entries());

  await spire.down();
  await w.waitFor('the registrar to see SPIRE gone', () => reg.logs.some((l) => l.msg === LOST));
  await spire.back({ empty: true });
  // Nothing changed in the cluster, so no informer event: only the reconnect can start this pass.
  await w.waitFor('the entries registered again', () => spire.entries().length === 4);
  assert.deepEqual(describeEntries(spire.entries()), before);
  assert.ok(reg.logs.some((l) => l.msg === 'SPIRE connection ready again; reconciling'));
  const created = spire.server.core.calls().BatchCreateEntry;
  assert.equal(created, 1, 'one batch registers them all');
});

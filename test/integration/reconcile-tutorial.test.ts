// The tutorial's reconcile-mode walk-through, end to end: registrar mode code against the fake API server
// (through client-node) and the in-memory SPIRE server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEntries, ROOT, startWorld } from './reconcile-harness.js';

const agent = { name: 'spire-agent-x7k2p', namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': 'agent' } };
const workload = { name: 'example-workload-6877cd47d5-2fmpq', namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': 'example-workload' } };

test('tutorial: node, agent and workload entries; the workload deleted; a non-labelled pod ignored', async (t) => {
  const w = await startWorld(t);
  w.putNode('minikube');
  w.putPod(agent);
  w.putPod(workload);
  const reg = await w.startRegistrar();
  await reg.ready;
  const expected = [
    `spiffe://example.org/agent <- ${ROOT}/minikube [k8s:ns:spire k8s:pod-name:spire-agent-x7k2p]`,
    `spiffe://example.org/example-workload <- ${ROOT}/minikube [k8s:ns:spire k8s:pod-name:example-workload-6877cd47d5-2fmpq]`,
    `${ROOT}/minikube <- spiffe://example.org/spire/server [k8s_psat:agent_node_name:minikube k8s_psat:cluster:k8stest]`,
  ];
  await w.waitFor('three entries', () => w.entries().length === 3);
  assert.deepEqual(describeEntries(w.entries()), expected);
  // The server holds the entries before the registrar has read the answer and logged it.
  await w.waitFor('three create log lines', () => reg.logs.filter((l) => l.msg === 'Created new spire entry').length === 3);
  const created = reg.logs.filter((l) => l.msg === 'Created new spire entry');
  assert.deepEqual(created.map((l) => l.spiffe_id).sort(), [
    'spiffe://example.org/agent',
    'spiffe://example.org/example-workload',
    `${ROOT}/minikube`,
  ]);
  assert.ok(created.every((l) => l.level === 'info' && typeof l.entry_id === 'string' && l.entry_id !== ''));

  w.deletePod(workload.name);
  await w.waitFor('the workload entry to go', () => w.entries().length === 2);
  assert.deepEqual(describeEntries(w.entries()), [expected[0], expected[2]]);
  await w.waitFor('the delete log line', () => reg.logs.some((l) => l.msg === 'Deleted entry'));
  const deleted = reg.logs.filter((l) => l.msg === 'Deleted entry');
  assert.deepEqual(deleted.map((l) => l.spiffe_id), ['spiffe://example.org/example-workload']);

  w.putPod({ name: 'not-labeled-workload-5d8f9', namespace: 'spire', nodeName: 'minikube', labels: { app: 'not-labeled-workload' } });
  const passes = () => reg.logs.filter((l) => l.msg === 'Reconciled entries' && l.full === true).length;
  const before = passes();
  await w.waitFor('a full resync after the non-labelled pod', () => passes() > before);
  assert.deepEqual(describeEntries(w.entries()), [expected[0], expected[2]]);
});

test('a label change rewrites the SPIFFE ID of the same entry; removing the label deletes it', async (t) => {
  const w = await startWorld(t);
  w.putNode('minikube');
  w.putPod(workload);
  const reg = await w.startRegistrar();
  await reg.ready;
  await w.waitFor('the workload entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/example-workload'));
  const id = w.entries().find((e) => e.spiffeId === 'spiffe://example.org/example-workload')?.id;

  w.putPod({ ...workload, labels: { 'spire-workload': 'renamed' } });
  await w.waitFor('the relabelled entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/renamed'));
  assert.equal(w.entries().find((e) => e.spiffeId === 'spiffe://example.org/renamed')?.id, id);
  assert.equal(w.entries().length, 2);
  await w.waitFor('the update log line', () => reg.logs.some((l) => l.msg === 'Updated spire entry' && l.entry_id === id));

  w.putPod({ ...workload, labels: {} });
  await w.waitFor('the entry to go', () => w.entries().length === 1);
  assert.equal(w.entries()[0]?.spiffeId, `${ROOT}/minikube`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { aSpiffeId, crdTestConfig } from '../../test/fixtures/spiffeid.js';
import { newEntry, type Entry } from '../entries/entry.js';
import { spiffeIdEntry } from '../spiffeid/spiffeid-entry.js';
import { SPIFFEID_FINALIZER } from '../spiffeid/spiffeid.js';
import { checkCrdTemplates } from '../templates/crd-templates.js';
import { planCrd } from './crd-plan.js';

const cfg = { ...crdTestConfig, addSvcDnsName: false };
const checked = checkCrdTemplates({ ...cfg, dnsNameTemplates: [] });
assert.ok(checked.ok);
const templates = checked.templates;
const now = '2026-11-27T12:00:00Z';
const fin = [SPIFFEID_FINALIZER];

const OURS = 'k8s-workload-registrar.k8stest.uid-my-test-spiffeid';

test('differs from the original: the Go registrar\'s converged state plans only moving each legacy entry to the registrar\'s own ID, a create and a delete that say so', () => {
  const view = { nodes: [], pods: [], endpointSlices: [] };
  const s = aSpiffeId({ finalizers: fin, entryId: 'e1' });
  const p = planCrd({ ...view, spiffeIds: [s] }, [{ ...spiffeIdEntry(s), id: 'e1' }], { ...cfg, podController: false }, templates, now);
  assert.deepEqual([p.update.length, p.leftAlone.length], [0, 0]);
  assert.deepEqual(p.create.map((c) => [c.entry, c.reason]), [
    [{ ...spiffeIdEntry(s), id: OURS }, 'SpiffeID default/my-test-spiffeid: replaces legacy entry e1 under the registrar\'s own ID'],
  ]);
  assert.deepEqual(p.delete.map((c) => [c.entry.id, c.reason]), [['e1', `SpiffeID default/my-test-spiffeid: moved to the registrar's own entry ${OURS} (same identity)`]]);
  assert.deepEqual(p.spiffeIds, { create: [], update: [], delete: [] });
  // After the move: nothing to do.
  const moved = aSpiffeId({ finalizers: fin, entryId: OURS, conditions: [{ type: 'Ready', status: 'True', reason: 'EntryReady', message: 'the SPIRE entry matches the spec' }] });
  const again = planCrd({ ...view, spiffeIds: [moved] }, [{ ...spiffeIdEntry(s), id: OURS }], { ...cfg, podController: false }, templates, now);
  assert.deepEqual([again.create.length, again.update.length, again.delete.length, again.leftAlone.length], [0, 0, 0, 0]);
});

test('a SpiffeID deleted in the middle of a move: both its entries are reported deleted, neither as left alone', () => {
  const s = aSpiffeId({ finalizers: fin, entryId: 'e1', deletionTimestamp: now });
  const entries = [{ ...spiffeIdEntry(s), id: 'e1' }, { ...spiffeIdEntry(s), id: OURS }];
  const p = planCrd({ nodes: [], pods: [], endpointSlices: [], spiffeIds: [s] }, entries, { ...cfg, podController: false }, templates, now);
  assert.deepEqual(p.delete.map((c) => c.entry.id).sort(), ['e1', OURS]);
  assert.deepEqual(p.leftAlone, []);
});

test('updates and deletes name the SpiffeID and why; entries nobody declares are left alone', () => {
  const [e1, e2] = ['k8s-workload-registrar.k8stest.uid-a', 'k8s-workload-registrar.k8stest.uid-b'];
  const changed = aSpiffeId({ name: 'a', finalizers: fin, entryId: e1, dnsNames: ['a.example'] });
  const dying = aSpiffeId({ name: 'b', spiffeId: 'spiffe://example.org/b', finalizers: fin, entryId: e2, deletionTimestamp: now });
  const entries: Entry[] = [
    { ...spiffeIdEntry(changed), dnsNames: [], id: e1 },
    { ...spiffeIdEntry(dying), id: e2 },
    { ...newEntry({ spiffeId: 'spiffe://example.org/ops', parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'unix', value: 'uid:0' }] }), id: 'e3' },
  ];
  const open = { ...cfg, podController: false, policy: { ...cfg.policy, mode: 'open' as const } };
  const p = planCrd({ nodes: [], pods: [], endpointSlices: [], spiffeIds: [changed, dying] }, entries, open, templates, now);
  assert.deepEqual(p.problems, []);
  assert.deepEqual(p.update.map((c) => c.reason), ['SpiffeID default/a: DNS names changed: [] -> [a.example]']);
  assert.deepEqual(p.delete.map((c) => c.reason), ['SpiffeID default/b is being deleted']);
  assert.deepEqual(p.leftAlone.map((c) => c.entry.id), ['e3']);
});

test('a new pod: its SpiffeID is created and its entry follows in the same plan; an invalid annotation is a problem', () => {
  const view = {
    nodes: [aNode({ name: 'minikube', uid: 'n-1' })],
    pods: [aPod({ name: 'web-0', namespace: 'spire', uid: 'p-1', annotations: { 'spiffe.io/spiffe-id': 'web' } }), aPod({ name: 'bad-0', namespace: 'spire', uid: 'p-2', annotations: { 'spiffe.io/spiffe-id': 'a//b' } })],
    endpointSlices: [],
    spiffeIds: [],
  };
  const p = planCrd(view, [], cfg, templates, now);
  assert.deepEqual(p.spiffeIds?.create.map((c) => `${c.namespace}/${c.name}: ${c.reason}`), ['spire/minikube: declared by Node minikube', 'spire/web-0: declared by Pod web-0']);
  assert.deepEqual(p.create.map((c) => c.entry.spiffeId).sort(), ['spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube', 'spiffe://example.org/web']);
  assert.equal(p.problems.length, 1);
  assert.match(p.problems[0] ?? '', /^pod\/spire\/bad-0: annotation "spiffe\.io\/spiffe-id" value "a\/\/b"/);
});

test('ownership is what the pass decides, never status alone: a foreign entry a status names, or one with a declared key the SpiffeID does not hold, is left alone', () => {
  const ops = { ...newEntry({ spiffeId: 'spiffe://example.org/ops', parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'unix', value: 'uid:0' }] }), id: 'ops-1' };
  const claims = aSpiffeId({ name: 'claims', spiffeId: 'spiffe://example.org/claims', finalizers: fin, entryId: 'ops-1' });
  const lookalike = aSpiffeId({ name: 'lookalike', spiffeId: 'spiffe://example.org/lookalike', finalizers: fin });
  const sameKey = { ...spiffeIdEntry(lookalike), id: 'made-by-hand' };
  const p = planCrd({ nodes: [], pods: [], endpointSlices: [], spiffeIds: [claims, lookalike] }, [ops, sameKey], { ...cfg, podController: false }, templates, now);
  assert.deepEqual(p.leftAlone.map((c) => c.entry.id).sort(), ['made-by-hand', 'ops-1']);
  assert.deepEqual([p.update.length, p.delete.length], [0, 0]);
  assert.deepEqual(p.create.map((c) => c.entry.spiffeId), ['spiffe://example.org/claims']);
  assert.match(p.problems.join('\n'), /spiffeid\/default\/lookalike: EntryConflict/);
});

test('a legacy entry held by a pod SpiffeID the registrar declares is ours even where the namespace policy would refuse a user that ID', () => {
  const pod = aPod({ name: 'web-0', namespace: 'default', uid: 'p-1', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'ns/other/x' } });
  const view = { nodes: [aNode({ name: 'minikube', uid: 'n-1' })], pods: [pod], endpointSlices: [] };
  const first = planCrd({ ...view, spiffeIds: [] }, [], cfg, templates, now);
  const declared = first.create.find((c) => c.entry.spiffeId === 'spiffe://example.org/ns/other/x');
  assert.ok(declared, 'the pod declares ns/other/x');
  const legacy = { ...declared.entry, id: 'go-registrar-1' };
  const s = aSpiffeId({
    name: 'web-0',
    namespace: 'default',
    finalizers: fin,
    entryId: 'go-registrar-1',
    ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'p-1', controller: true }],
  });
  const p = planCrd({ ...view, spiffeIds: [s] }, [legacy], cfg, templates, now);
  assert.deepEqual(p.leftAlone.map((c) => c.entry.id), []);
  assert.equal(p.update.length, 0);
  assert.deepEqual(p.delete.map((c) => c.entry.id), ['go-registrar-1'], 'moved to our own ID');
  assert.deepEqual(p.create.filter((c) => c.entry.spiffeId === 'spiffe://example.org/ns/other/x').map((c) => c.entry.id), ['k8s-workload-registrar.k8stest.uid-web-0']);
});

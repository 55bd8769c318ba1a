import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { federatedTrustDomain, workloadIdProblem } from './workload-id-rules.js';
import { workloadSpiffeId } from './workload-spiffe-id.js';

const rules = { trustDomain: 'example.org' };

const refused: [string, string, RegExp][] = [
  ["SPIRE's server ID", 'spiffe://example.org/spire/server', /reserved for SPIRE's server and agents/],
  ['an agent ID', 'spiffe://example.org/spire/agent/k8s_psat/c/n1', /reserved for SPIRE's server and agents/],
  ['/spire itself', 'spiffe://example.org/spire', /reserved for SPIRE/],
  ["the cluster node entry's own ID (webhook mode's parent of every pod)", 'spiffe://example.org/k8s-workload-registrar/demo/node', /registrar's node IDs/],
  ["a node entry's ID (crd and reconcile modes)", 'spiffe://example.org/k8s-workload-registrar/demo/node/n1', /registrar's node IDs/],
  ["another cluster's node ID in the same trust domain", 'spiffe://example.org/k8s-workload-registrar/other/node', /registrar's node IDs/],
  ['an ID over 2,048 bytes', `spiffe://example.org/${'a'.repeat(2100)}`, /is 2121 bytes long; the limit is 2048/],
  ['another trust domain', 'spiffe://example.org.evil/x', /not in the trust domain "example.org"/],
  ['no path', 'spiffe://example.org', /has no path/],
];
for (const [name, id, reason] of refused) {
  test(`workload ID refused: ${name}`, () => assert.match(workloadIdProblem(id, rules) ?? 'accepted', reason));
}

test("reconcile mode's controller_name root is reserved too, and near-misses are not", () => {
  assert.match(workloadIdProblem('spiffe://example.org/my-ctl/c/node/n1', { ...rules, controllerName: 'my-ctl' }) ?? '', /node IDs/);
  for (const ok of ['spiffe://example.org/my-ctl/c/node/n1', 'spiffe://example.org/spired/x', 'spiffe://example.org/k8s-workload-registrar/c/nodes', `spiffe://example.org/${'a'.repeat(2000)}`]) {
    assert.equal(workloadIdProblem(ok, rules), undefined, ok);
  }
});

test("the registrar's own trust domain is refused in federatesWith, in either form", () => {
  assert.deepEqual(federatedTrustDomain('other.org', 'example.org'), { ok: true, value: 'other.org' });
  assert.equal(federatedTrustDomain('spiffe://example.org', 'example.org').ok, false);
  assert.equal(federatedTrustDomain('example.org', 'example.org').ok, false);
});

test('every derivation goes through the rules: label, annotation, service account', () => {
  const byLabel = workloadSpiffeId(aPod({ labels: { id: 'spire' } }), { ...rules, podLabel: 'id' });
  assert.equal(byLabel.kind, 'invalid');
  const byAnnotation = workloadSpiffeId(aPod({ annotations: { id: 'k8s-workload-registrar/k8stest/node' } }), { ...rules, podAnnotation: 'id' });
  assert.match(byAnnotation.kind === 'invalid' ? byAnnotation.reason : '', /may not be a workload ID: .*node IDs/);
  const huge = workloadSpiffeId(aPod({ annotations: { id: 'a'.repeat(60_000) } }), { ...rules, podAnnotation: 'id' });
  assert.equal(huge.kind, 'invalid');
  // The reason quotes the value cut short, never 60 KB of it.
  assert.ok(huge.kind === 'invalid' && huge.reason.length < 500, huge.kind === 'invalid' ? `${huge.reason.length}` : '');
});

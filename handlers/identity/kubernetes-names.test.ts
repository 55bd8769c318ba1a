import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { dnsLabelProblem, dnsSubdomainProblem, labelValueProblem, podNamesProblem } from './kubernetes-names.js';
import { workloadSpiffeId } from './workload-spiffe-id.js';

test("Kubernetes' name limits: 253 for a subdomain, 63 for a label and a label value", () => {
  assert.equal(dnsSubdomainProblem(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`), undefined);
  assert.match(dnsSubdomainProblem('a'.repeat(254)) ?? '', /254 characters long; the limit is 253/);
  assert.match(dnsSubdomainProblem('a/b') ?? '', /not a Kubernetes name/);
  assert.equal(dnsSubdomainProblem('serviceAccount'), undefined, 'case is not checked (upstream fixtures use it)');
  assert.equal(dnsLabelProblem('kube-system'), undefined);
  assert.match(dnsLabelProblem('a b') ?? '', /not a Kubernetes name/);
  assert.match(dnsLabelProblem('a'.repeat(64)) ?? '', /the limit is 63/);
  assert.equal(labelValueProblem(''), undefined);
  assert.equal(labelValueProblem('Web_1.x'), undefined);
  assert.match(labelValueProblem('a'.repeat(64)) ?? '', /the limit is 63/);
});

test('a 1.4 MB pod name, a bad namespace or service account: no identity, a short reason', () => {
  const cases = [
    aPod({ name: 'p'.repeat(1_400_000) }),
    aPod({ namespace: 'not a label' }),
    aPod({ serviceAccount: 'sa/../x' }),
  ];
  for (const pod of cases) {
    assert.match(podNamesProblem(pod) ?? '', /^(namespace|pod name|service account) /);
    const out = workloadSpiffeId(pod, { trustDomain: 'example.org' });
    assert.ok(out.kind === 'invalid' && out.reason.length < 300);
  }
  assert.equal(podNamesProblem(aPod({ name: 'web-0', namespace: 'default', serviceAccount: 'my.sa' })), undefined);
});

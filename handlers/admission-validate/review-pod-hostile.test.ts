// Forged or hostile pod reviews: each is allowed (the registrar never blocks a pod), writes nothing to
// SPIRE, and says why in a warning short enough to show, whatever the size of the input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { anAdmissionReview, type AdmissionInit } from '../../test/fixtures/admission.js';
import { AdmissionReviewSchema } from './admission-review.js';
import { reviewPod, type PodReviewConfig } from './review-pod.js';

const cfg: PodReviewConfig = { trustDomain: 'example.org', cluster: 'k8stest', disabledNamespaces: ['kube-system'] };
const review = (init: AdmissionInit, c: PodReviewConfig = cfg) => reviewPod(v.parse(AdmissionReviewSchema, anAdmissionReview(init)).request, c);

const hostile: [string, AdmissionInit, PodReviewConfig, RegExp][] = [
  ["a label naming SPIRE's server", { pod: { name: 'p', labels: { id: 'spire' } } }, { ...cfg, podLabel: 'id' }, /reserved for SPIRE/],
  ['an annotation naming an agent', { pod: { name: 'p', annotations: { id: 'spire/agent/k8s_psat/k8stest/n1' } } }, { ...cfg, podAnnotation: 'id' }, /reserved for SPIRE/],
  ["an annotation naming the cluster node entry's own path", { pod: { name: 'p', annotations: { id: 'k8s-workload-registrar/k8stest/node' } } }, { ...cfg, podAnnotation: 'id' }, /registrar's node IDs/],
  ['a 60 KB annotation', { pod: { name: 'p', annotations: { id: 'x'.repeat(60_000) } } }, { ...cfg, podAnnotation: 'id' }, /the limit is 2048/],
  ['its own trust domain in federatesWith', { pod: { name: 'p', annotations: { 'spiffe.io/federatesWith': 'example.org' } } }, cfg, /own trust domain/],
  ['a 1.4 MB pod name', { uid: 'u1', pod: { name: 'p'.repeat(1_400_000) } }, cfg, /pod name "p+"… \(1400000 characters\) is 1400000 characters long/],
  // disabled_namespaces reads request.namespace; the pod claims another namespace to slip past it.
  ['request.namespace differs from the pod namespace', { pod: { name: 'p', namespace: 'kube-system' }, namespace: 'default' }, cfg, /namespace "kube-system" is not the request's namespace "default"/],
  ['request.name differs from the pod name', { pod: { name: 'p' }, name: 'q' }, cfg, /name "p" is not the request's name "q"/],
];

for (const [name, init, c, reason] of hostile) {
  test(`hostile CREATE is allowed with no SPIRE write: ${name}`, () => {
    const out = review(init, c);
    assert.equal(out.response.allowed, true);
    assert.deepEqual(out.ops, []);
    const warning = out.response.warnings?.[0] ?? '';
    assert.match(warning, reason);
    assert.ok(warning.length < 1200, `warning is ${warning.length} characters`);
    for (const n of out.notes) for (const f of Object.values(n.fields)) assert.ok(f.length <= 1100, `note field of ${f.length} characters`);
  });
}

// As for CREATE: the API server fills request.namespace and request.name from the object (oldObject on
// DELETE). A review where they differ is forged; its DELETE would pair the oldObject's UID with another
// pod's selectors.
const hostileDeletes: [string, AdmissionInit, RegExp][] = [
  ['oldObject namespace differs from request.namespace', { pod: { name: 'p', namespace: 'kube-system' }, namespace: 'default' }, /namespace "kube-system" is not the request's namespace "default"/],
  ['oldObject name differs from request.name', { pod: { name: 'p' }, name: 'q' }, /name "p" is not the request's name "q"/],
];
for (const [name, init, reason] of hostileDeletes) {
  test(`hostile DELETE is allowed with no SPIRE write, as CREATE is: ${name}`, () => {
    const out = review({ ...init, operation: 'DELETE' });
    assert.equal(out.response.allowed, true);
    assert.deepEqual(out.ops, []);
    assert.match(out.response.warnings?.[0] ?? '', /^k8s-workload-registrar: SPIRE entry not deleted: /);
    assert.match(out.response.warnings?.[0] ?? '', reason);
    assert.deepEqual(out.notes.map((n) => [n.level, n.message]), [['warn', 'Pod entry not deleted']]);
  });
}

test('a DELETE whose oldObject omits namespace or name still uses the request\'s (the API server sends both)', () => {
  const raw = anAdmissionReview({ operation: 'DELETE', pod: { name: 'p', namespace: 'default' } });
  const meta = (raw.request as { oldObject: { metadata: Record<string, unknown> } }).oldObject.metadata;
  delete meta.namespace;
  delete meta.name;
  const out = reviewPod(v.parse(AdmissionReviewSchema, raw).request, cfg);
  assert.deepEqual(out.ops.map((o) => o.op), ['delete']);
});

test('a DELETE naming a pod Kubernetes could not have made plans no delete', () => {
  const out = review({ uid: 'u1', operation: 'DELETE', pod: { name: 'P'.repeat(300_000) } });
  assert.deepEqual(out.ops, []);
  assert.match(out.response.warnings?.[0] ?? '', /SPIRE entry not deleted: pod name "P+"… \(300000 characters\)/);
});

test('a pod whose namespace the object leaves out still uses the request namespace (the API server sends both)', () => {
  const raw = anAdmissionReview({ pod: { name: 'p', namespace: 'default' } });
  delete (raw.request as { object: { metadata: Record<string, unknown> } }).object.metadata.namespace;
  const out = reviewPod(v.parse(AdmissionReviewSchema, raw).request, cfg);
  assert.equal(out.ops.length, 1);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as v from 'valibot';
import { anAdmissionReview, type AdmissionInit } from '../../test/fixtures/admission.js';
import { newEntry } from '../entries/entry.js';
import { admissionApiVersions, AdmissionReviewSchema, type AdmissionApiVersion } from './admission-review.js';
import { reviewPod, type EntryOp, type PodReviewConfig } from './review-pod.js';

const cfg: PodReviewConfig = { trustDomain: 'example.org', cluster: 'k8stest', disabledNamespaces: ['kube-system'] };
const nodeId = 'spiffe://example.org/k8s-workload-registrar/k8stest/node';

const podSelectors = (ns: string, name: string) => [
  { type: 'k8s', value: `ns:${ns}` },
  { type: 'k8s', value: `pod-name:${name}` },
];
// The fixture pod's UID is uid-<name> (test/fixtures/k8s-objects.ts).
const create = (spiffeId: string, ns: string, name: string, federatesWith: string[] = [], podUid = `uid-${name}`): EntryOp => ({
  op: 'create',
  entry: newEntry({ spiffeId, parentId: nodeId, selectors: podSelectors(ns, name), federatesWith }),
  podUid,
});

for (const apiVersion of admissionApiVersions) {
  describe(`reviewPod (${apiVersion})`, () => {
    // The fixture goes through the same schema as an HTTP body would, so both API versions are exercised.
    const review = (init: AdmissionInit, c: PodReviewConfig = cfg) =>
      reviewPod(v.parse(AdmissionReviewSchema, anAdmissionReview({ apiVersion: apiVersion as AdmissionApiVersion, ...init })).request, c);

    test('CREATE: service account identity, parented to the cluster node entry', () => {
      const out = review({ uid: 'u1', pod: { name: 'workload-0', namespace: 'spire', serviceAccount: 'default' } });
      assert.deepEqual(out.response, { uid: 'u1', allowed: true });
      assert.deepEqual(out.ops, [create('spiffe://example.org/ns/spire/sa/default', 'spire', 'workload-0')]);
      assert.deepEqual(out.notes, []);
    });

    test('CREATE: a pod without serviceAccountName gets the default service account', () => {
      const raw = anAdmissionReview({ pod: { name: 'p' } });
      const request = raw.request as { object: { spec: Record<string, unknown> } };
      delete request.object.spec.serviceAccountName;
      const out = reviewPod(v.parse(AdmissionReviewSchema, { ...raw, apiVersion }).request, cfg);
      assert.deepEqual(out.ops, [create('spiffe://example.org/ns/spire/sa/default', 'spire', 'p')]);
    });

    test('CREATE: pod_label takes the ID from the label value', () => {
      const out = review({ pod: { name: 'p', labels: { 'spire-workload': 'example-workload' } } }, { ...cfg, podLabel: 'spire-workload' });
      assert.deepEqual(out.ops, [create('spiffe://example.org/example-workload', 'spire', 'p')]);
    });

    test('CREATE: pod_label set and the pod lacks the label: allowed, no entry', () => {
      const out = review({ pod: { name: 'p' } }, { ...cfg, podLabel: 'spire-workload' });
      assert.deepEqual(out.response.allowed, true);
      assert.deepEqual(out.ops, []);
      assert.equal(out.response.warnings, undefined);
      assert.deepEqual(out.notes.map((n) => [n.level, n.message]), [['debug', 'Pod has no identity']]);
    });

    test('CREATE: pod_annotation takes the ID from the annotation value, which may contain slashes', () => {
      const out = review(
        { pod: { name: 'p', annotations: { 'spiffe.io/spiffe-id': 'production/example-workload' } } },
        { ...cfg, podAnnotation: 'spiffe.io/spiffe-id' },
      );
      assert.deepEqual(out.ops, [create('spiffe://example.org/production/example-workload', 'spire', 'p')]);
    });

    test('CREATE: an invalid label value is allowed with no entry, an error note and a warning saying why (differs from the original, which path-cleaned "a//b" into an ID the user never wrote)', () => {
      const out = review({ pod: { name: 'p', labels: { 'spire-workload': 'a//b' } } }, { ...cfg, podLabel: 'spire-workload' });
      assert.equal(out.response.allowed, true);
      assert.deepEqual(out.ops, []);
      assert.deepEqual(out.response.warnings, [
        // Kubernetes itself refuses "/" in a label value, so the value is refused as one (kubernetes-names.ts).
        'k8s-workload-registrar: no SPIRE entry created: label "spire-workload" value "a//b" is not a valid label value',
      ]);
      assert.deepEqual(out.notes.map((n) => [n.level, n.message, n.fields.name]), [['error', 'Pod entry not created', 'p']]);
    });

    test('CREATE: federates_with comes from the spiffe.io/federatesWith annotation', () => {
      const out = review({ pod: { name: 'p', annotations: { 'spiffe.io/federatesWith': 'a.test, b.test,' } } });
      assert.deepEqual(out.ops, [create('spiffe://example.org/ns/spire/sa/default', 'spire', 'p', ['a.test', 'b.test'])]);
    });

    test('CREATE: an invalid federatesWith trust domain is allowed with no entry and a warning (differs from the original, whose create failed inside SPIRE)', () => {
      const out = review({ pod: { name: 'p', annotations: { 'spiffe.io/federatesWith': 'not a domain' } } });
      assert.deepEqual(out.ops, []);
      assert.match(out.response.warnings?.[0] ?? '', /federatesWith" item "not a domain" is not a trust domain/);
    });

    test('CREATE: a generateName pod uses the name the API server assigned (object.metadata.name)', () => {
      const out = review({ pod: { name: 'web-7d9f8-x2x4q', generateName: 'web-7d9f8-' } });
      assert.deepEqual(out.ops, [create('spiffe://example.org/ns/spire/sa/default', 'spire', 'web-7d9f8-x2x4q')]);
    });

    test('CREATE: a pod with no name at all gets no entry and a warning (differs from the original: SPIRE refuses an empty pod-name selector, and no DELETE could find it)', () => {
      const pod = { metadata: { generateName: 'web-', namespace: 'spire' }, spec: { serviceAccountName: 'default' } };
      const out = review({ object: pod, name: '' });
      assert.equal(out.response.allowed, true);
      assert.deepEqual(out.ops, []);
      assert.deepEqual(out.response.warnings, [
        'k8s-workload-registrar: no SPIRE entry created: the pod has no name (metadata.name and request.name are empty)',
      ]);
    });

    test('CREATE: namespace falls back to request.namespace when the object omits it', () => {
      const pod = { metadata: { name: 'p' }, spec: { serviceAccountName: 'sa1' } };
      const out = review({ object: pod, name: 'p', namespace: 'team-a' });
      assert.deepEqual(out.ops, [create('spiffe://example.org/ns/team-a/sa/sa1', 'team-a', 'p', [], '')]);
    });

    test('CREATE and DELETE carry the pod UID, so the runtime can pair a DELETE with its CREATE', () => {
      const created = review({ pod: { name: 'w', uid: 'pod-uid-7' } });
      const deleted = review({ operation: 'DELETE', pod: { name: 'w', uid: 'pod-uid-7' } });
      assert.deepEqual([...created.ops, ...deleted.ops].map((o) => [o.op, o.podUid]), [['create', 'pod-uid-7'], ['delete', 'pod-uid-7']]);
    });

    test('CREATE: an object that is not a pod shape is allowed with no entry and a warning', () => {
      const out = review({ object: { metadata: { name: 42 } } });
      assert.deepEqual(out.ops, []);
      assert.match(out.response.warnings?.[0] ?? '', /^k8s-workload-registrar: no SPIRE entry created: the request's pod object is invalid: metadata\.name: /);
    });

    test('DELETE: plans a delete by exact selectors under the cluster node entry', () => {
      const out = review({ uid: 'u2', operation: 'DELETE', pod: { name: 'workload-0', namespace: 'spire' } });
      assert.deepEqual(out, {
        response: { uid: 'u2', allowed: true },
        ops: [{ op: 'delete', parentId: nodeId, selectors: podSelectors('spire', 'workload-0'), podUid: 'uid-workload-0' }],
        notes: [],
      });
    });

    test('DELETE: works in label mode too (the entry may exist from before)', () => {
      const out = review({ operation: 'DELETE', pod: { name: 'p' } }, { ...cfg, podLabel: 'spire-workload' });
      assert.deepEqual(out.ops, [{ op: 'delete', parentId: nodeId, selectors: podSelectors('spire', 'p'), podUid: 'uid-p' }]);
    });

    test('DELETE: request.name empty falls back to oldObject.metadata.name', () => {
      const out = review({ operation: 'DELETE', pod: { name: 'p' }, name: '' });
      assert.deepEqual(out.ops, [{ op: 'delete', parentId: nodeId, selectors: podSelectors('spire', 'p'), podUid: 'uid-p' }]);
    });

    test('disabled namespace: allowed, no entry, on CREATE and DELETE', () => {
      for (const operation of ['CREATE', 'DELETE'] as const) {
        const out = review({ operation, pod: { name: 'p', namespace: 'kube-system' } });
        assert.deepEqual([out.response.allowed, out.ops], [true, []]);
      }
    });

    test('another kind is allowed with a warning note and no entry', () => {
      const out = review({ kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, object: { metadata: { name: 'd' } } });
      assert.deepEqual([out.response.allowed, out.ops], [true, []]);
      assert.deepEqual(out.notes.map((n) => [n.level, n.message, n.fields.kind]), [
        ['warn', 'Admission review request is not for a pod', 'apps/v1/Deployment'],
      ]);
    });

    test('a pod subresource (pods/status) is not a pod admission: no entry (differs from the original, which did not look at subResource)', () => {
      const out = review({ subResource: 'status', pod: { name: 'p' } });
      assert.deepEqual(out.ops, []);
      assert.equal(out.notes[0]?.level, 'warn');
    });

    test('UPDATE and CONNECT are allowed with a warning note and no entry (the original ignored them silently)', () => {
      for (const operation of ['UPDATE', 'CONNECT'] as const) {
        const out = review({ operation, pod: { name: 'p' } });
        assert.deepEqual([out.response.allowed, out.ops], [true, []]);
        assert.deepEqual(out.notes.map((n) => [n.level, n.message, n.fields.operation]), [
          ['warn', 'Admission review operation is not handled', operation],
        ]);
      }
    });

    test('dry-run requests touch nothing, as sideEffects: NoneOnDryRun promises (differs from the original, which wrote entries for dry runs)', () => {
      for (const operation of ['CREATE', 'DELETE'] as const) {
        const out = review({ operation, dryRun: true, pod: { name: 'p' } });
        assert.deepEqual([out.response.allowed, out.ops], [true, []]);
      }
    });
  });
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { anAdmissionReview } from '../../test/fixtures/admission.js';
import { AdmissionReviewSchema, describeIssues, reviewResponse, unsupportedReviewType } from './admission-review.js';

test('v1 and v1beta1 AdmissionReviews are supported', () => {
  for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const) {
    assert.equal(unsupportedReviewType(anAdmissionReview({ apiVersion })), undefined);
  }
});

const unsupported: [string, unknown, string][] = [
  ['an array', [], 'body is not a JSON object'],
  ['a string', 'x', 'body is not a JSON object'],
  [
    'another apiVersion',
    { apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview' },
    'unsupported apiVersion/kind "admission.k8s.io/v2"/"AdmissionReview"; expected AdmissionReview in admission.k8s.io/v1 or admission.k8s.io/v1beta1',
  ],
  [
    'another kind',
    { apiVersion: 'admission.k8s.io/v1', kind: 'Pod' },
    'unsupported apiVersion/kind "admission.k8s.io/v1"/"Pod"; expected AdmissionReview in admission.k8s.io/v1 or admission.k8s.io/v1beta1',
  ],
  [
    'neither',
    {},
    'unsupported apiVersion/kind ""/""; expected AdmissionReview in admission.k8s.io/v1 or admission.k8s.io/v1beta1',
  ],
];
for (const [name, body, message] of unsupported) {
  test(`unsupportedReviewType: ${name}`, () => assert.equal(unsupportedReviewType(body), message));
}

test('an AdmissionReview without request.uid fails with a one-line path message', () => {
  const body = anAdmissionReview();
  delete (body.request as Record<string, unknown>).uid;
  const r = v.safeParse(AdmissionReviewSchema, body);
  assert.equal(r.success, false);
  if (!r.success) assert.equal(describeIssues(r.issues), 'request.uid: Invalid key: Expected "uid" but received undefined');
});

test('the response keeps the request apiVersion', () => {
  assert.deepEqual(reviewResponse({ apiVersion: 'admission.k8s.io/v1beta1' }, { uid: 'u', allowed: true }), {
    apiVersion: 'admission.k8s.io/v1beta1',
    kind: 'AdmissionReview',
    response: { uid: 'u', allowed: true },
  });
});

// Parity with the webhook-era webhookhandler_test.go (spiffe/spire a9bae499): routing, method, content
// type and body errors of the admission endpoint, with the review itself stubbed as upstream did (a
// controller that fails for uid FAILME). Here: the Hono app the binary serves, through app.request.
// Where our message says more than the original's, it starts with the original's words; the cases
// that differ are listed in docs/parity.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { createAdmissionApp } from '../../runtime/webhook/admission-app.js';
import { anAdmissionReview } from '../fixtures/admission.js';

const app = createAdmissionApp({
  review: async (r) => {
    if (r.request.uid === 'FAILME') throw new Error('ohno');
    return { uid: r.request.uid, allowed: true };
  },
  isReady: () => true,
  notReadyReason: '',
  logger: pino({ level: 'silent' }),
});
const json = { 'content-type': 'application/json' };
async function call(method: string, path: string, headers: Record<string, string>, body?: string) {
  const res = await app.request(`http://localhost${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}
const name = (c: string) => `webhookhandler_test.go TestHandler/${c}`;

test(name('wrong path'), async () => {
  const r = await call('POST', '/whatever', {});
  assert.equal(r.status, 404);
  // Original: "Not found". Ours names the path after the same words.
  assert.equal(r.text, 'Not found: /whatever\n');
});

test(name('not a POST'), async () => {
  const r = await call('GET', '/validate', {});
  assert.equal(r.status, 405);
  assert.equal(r.text, 'Expected POST; got GET\n');
});

test(name('no JSON content type header'), async () => {
  const r = await call('POST', '/validate', { 'content-type': '' }, '');
  assert.equal(r.status, 400);
  assert.match(r.text, /^Expected JSON content; got Content-Type ""\n$/);
});

test(name('malformed JSON content'), async () => {
  const r = await call('POST', '/validate', json, '');
  assert.equal(r.status, 400);
  assert.match(r.text, /^Malformed JSON body: [^\n]+\n$/);
});

test(name('missing request (decided difference: the message)'), async () => {
  const r = await call('POST', '/validate', json, '{}');
  // Same status. The original passed the Kubernetes decoder's "Malformed JSON body: Object 'Kind' is
  // missing in '{}'"; ours says which apiVersion/kind it expected.
  assert.equal(r.status, 400);
  assert.match(r.text, /^Unsupported AdmissionReview: unsupported apiVersion\/kind ""\/""; expected AdmissionReview in admission\.k8s\.io\/v1 or admission\.k8s\.io\/v1beta1\n$/);
});

test(name('success'), async () => {
  const r = await call('POST', '/validate', json, JSON.stringify(anAdmissionReview({ uid: '0df28fbd-5f5f-11e8-bc74-36e6bb280816' })));
  assert.equal(r.status, 200);
  assert.match(r.contentType, /^application\/json\b/);
  assert.deepEqual(JSON.parse(r.text), {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    response: { uid: '0df28fbd-5f5f-11e8-bc74-36e6bb280816', allowed: true },
  });
  // Decided difference: a review without request.kind and request.operation (the API server always
  // sends both) is refused as invalid; the original's decoder accepted the upstream case's bare request.
  const bare = await call('POST', '/validate', json, '{ "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": { "uid": "0df28fbd-5f5f-11e8-bc74-36e6bb280816" } }');
  assert.equal(bare.status, 400);
  assert.match(bare.text, /^Invalid AdmissionReview: request\.kind: /);
});

test(name('failure'), async () => {
  // Upstream's body has no apiVersion/kind, so it fails decoding (400) before the controller runs.
  const r = await call('POST', '/validate', json, '{"request": {"uid":"FAILME"}}');
  assert.equal(r.status, 400);
  assert.match(r.text, /^Unsupported AdmissionReview: /);
  // With a complete review the failing controller is an internal error, as in the original.
  const failing = await call('POST', '/validate', json, JSON.stringify(anAdmissionReview({ uid: 'FAILME' })));
  assert.equal(failing.status, 500);
  assert.equal(failing.text, 'Internal error occurred: ohno\n');
});

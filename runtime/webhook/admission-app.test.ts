import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { AdmissionReview } from '../../handlers/admission-validate/admission-review.js';
import { anAdmissionReview } from '../../test/fixtures/admission.js';
import { createAdmissionApp, type AdmissionAppOptions } from './admission-app.js';

const url = 'http://localhost/validate';
const json = { 'content-type': 'application/json' };

function appWith(overrides: Partial<AdmissionAppOptions> = {}) {
  const seen: AdmissionReview[] = [];
  const app = createAdmissionApp({
    review: async (r) => {
      seen.push(r);
      return { uid: r.request.uid, allowed: true };
    },
    isReady: () => true,
    notReadyReason: 'the cluster node entry is not registered yet',
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  return { app, seen };
}

async function expectError(res: Response, status: number, text: RegExp) {
  const body = await res.text();
  assert.equal(res.status, status, body);
  assert.match(body, text);
  assert.equal(body.trimEnd().includes('\n'), false, 'one line');
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
}

for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const) {
  test(`POST /validate answers a ${apiVersion} review in the same apiVersion with the request uid`, async () => {
    const { app, seen } = appWith();
    const res = await app.request(url, { method: 'POST', headers: json, body: JSON.stringify(anAdmissionReview({ apiVersion, uid: 'abc' })) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { apiVersion, kind: 'AdmissionReview', response: { uid: 'abc', allowed: true } });
    assert.equal(seen.length, 1);
  });
}

test('Content-Type with a charset parameter is JSON content', async () => {
  const { app } = appWith();
  const res = await app.request(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(anAdmissionReview()) });
  assert.equal(res.status, 200);
});

test('another path is 404', async () => {
  const { app } = appWith();
  await expectError(await app.request('http://localhost/mutate', { method: 'POST', headers: json, body: '{}' }), 404, /^Not found: \/mutate$/m);
  await expectError(await app.request('http://localhost/'), 404, /^Not found/);
});

test('another method on /validate is 405 with Allow: POST', async () => {
  const { app } = appWith();
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
    const res = await app.request(url, { method });
    assert.equal(res.headers.get('allow'), 'POST');
    await expectError(res, 405, new RegExp(`^Expected POST; got ${method}$`, 'm'));
  }
});

test('a Content-Type other than application/json is 400 "Expected JSON content"', async () => {
  const { app, seen } = appWith();
  await expectError(await app.request(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }), 400, /^Expected JSON content; got Content-Type "text\/plain"$/m);
  await expectError(await app.request(url, { method: 'POST', body: '{}' }), 400, /^Expected JSON content/);
  assert.equal(seen.length, 0);
});

test('an undecodable body is 400 "Malformed JSON body: ..."', async () => {
  const { app } = appWith();
  await expectError(await app.request(url, { method: 'POST', headers: json, body: '{"apiVersion": ' }), 400, /^Malformed JSON body: .+/);
  await expectError(await app.request(url, { method: 'POST', headers: json, body: '' }), 400, /^Malformed JSON body: /);
});

test('an unsupported apiVersion or kind is 400', async () => {
  const { app } = appWith();
  const body = { ...anAdmissionReview(), apiVersion: 'admission.k8s.io/v2' };
  await expectError(await app.request(url, { method: 'POST', headers: json, body: JSON.stringify(body) }), 400, /^Unsupported AdmissionReview: unsupported apiVersion\/kind "admission.k8s.io\/v2"\/"AdmissionReview"/);
  const notReview = { ...anAdmissionReview(), kind: 'Pod' };
  await expectError(await app.request(url, { method: 'POST', headers: json, body: JSON.stringify(notReview) }), 400, /^Unsupported AdmissionReview: /);
});

test('a review without a request is 400 naming the field', async () => {
  const { app } = appWith();
  const body = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' };
  await expectError(await app.request(url, { method: 'POST', headers: json, body: JSON.stringify(body) }), 400, /^Invalid AdmissionReview: request: /);
});

test('a body over 3 MiB is 413, by Content-Length or by what is actually sent', async () => {
  const { app, seen } = appWith();
  const big = JSON.stringify({ ...anAdmissionReview(), padding: 'x'.repeat(3 * 1024 * 1024) });
  await expectError(await app.request(url, { method: 'POST', headers: { ...json, 'content-length': String(big.length) }, body: big }), 413, /^Request body is larger than 3145728 bytes$/m);
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(big));
      c.close();
    },
  });
  await expectError(await app.request(url, { method: 'POST', headers: json, body: stream, duplex: 'half' } as RequestInit), 413, /larger than/);
  assert.equal(seen.length, 0);
});

test('a review that fails is 500 "Internal error occurred: ..." with the causes on one line', async () => {
  const { app } = appWith({
    review: async () => {
      throw new Error('create pod entry', { cause: new Error('14 UNAVAILABLE: No connection established\nLast error: ECONNREFUSED') });
    },
  });
  await expectError(
    await app.request(url, { method: 'POST', headers: json, body: JSON.stringify(anAdmissionReview()) }),
    500,
    /^Internal error occurred: create pod entry: 14 UNAVAILABLE: No connection established Last error: ECONNREFUSED$/m,
  );
});

test('before start-up finished, reviews are 503 and not decided', async () => {
  const { app, seen } = appWith({ isReady: () => false });
  await expectError(await app.request(url, { method: 'POST', headers: json, body: JSON.stringify(anAdmissionReview()) }), 503, /^Service unavailable: the cluster node entry is not registered yet$/m);
  assert.equal(seen.length, 0);
});

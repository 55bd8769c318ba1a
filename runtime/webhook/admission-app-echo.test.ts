// Echoed input is cut: a 3 MB apiVersion, a 1 MB uid or a huge field type error is answered 400 with a
// short body and logged as a short line, and the app goes on answering.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { anAdmissionReview } from '../../test/fixtures/admission.js';
import { createAdmissionApp } from './admission-app.js';

test('huge quoted input is cut in the 400 body and in the log line', async () => {
  const lines: string[] = [];
  const app = createAdmissionApp({
    review: async (r) => ({ uid: r.request.uid, allowed: true }),
    isReady: () => true,
    notReadyReason: 'not ready',
    logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }),
  });
  const good = anAdmissionReview({ uid: 'u1' });
  const bodies: [string, unknown, RegExp][] = [
    ['3 MB apiVersion', { ...good, apiVersion: 'v'.repeat(3_000_000) }, /^Unsupported AdmissionReview: unsupported apiVersion\/kind "v+"… \(3000000 characters\)/],
    ['1 MB uid', { ...good, request: { ...(good.request as object), uid: 'u'.repeat(1_000_000) } }, /request\.uid must be at most 256 characters/],
    ['1 MB operation of the wrong type', { ...good, request: { ...(good.request as object), operation: ['o'.repeat(1_000_000)] } }, /^Invalid AdmissionReview: request\.operation/],
  ];
  for (const [name, body, message] of bodies) {
    lines.length = 0;
    const res = await app.request('http://localhost/validate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    assert.equal(res.status, 400, name);
    assert.match(text, message, name);
    assert.ok(text.length <= 2100, `${name}: a ${text.length}-character body`);
    assert.equal(lines.length, 1);
    assert.ok((lines[0] as string).length < 3000, `${name}: a ${(lines[0] as string).length}-character log line`);
  }
  const ok = await app.request('http://localhost/validate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(good) });
  assert.equal(ok.status, 200);
});

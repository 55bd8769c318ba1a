import assert from 'node:assert/strict';
import { test } from 'node:test';
import { derToPem, dersToPem, pemToDer, pemToDers } from './pem.js';

test('DER survives a PEM round trip, with 64-column lines', () => {
  const der = Uint8Array.from({ length: 100 }, (_, i) => i);
  const pem = derToPem(der, 'CERTIFICATE');
  assert.ok(pem.split('\n').every((l) => l.length <= 64));
  assert.deepEqual(pemToDer(pem, 'CERTIFICATE'), der);
});

test('a bundle of several blocks yields each DER in order; other labels are ignored', () => {
  const a = new Uint8Array([1, 2, 3]);
  const b = new Uint8Array([4, 5]);
  const text = dersToPem([a, b], 'CERTIFICATE') + derToPem(new Uint8Array([9]), 'PRIVATE KEY');
  assert.deepEqual(pemToDers(text, 'CERTIFICATE'), [a, b]);
  assert.throws(() => pemToDer(text, 'CERTIFICATE REQUEST'), /no PEM block labelled CERTIFICATE REQUEST/);
});

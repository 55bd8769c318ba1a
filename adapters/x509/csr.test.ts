import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { createCa } from './ca.js';
import { createCsr, parseCsr, signCsr } from './csr.js';
import { generateKeyPair } from './webcrypto.js';

test('a CSR carries its URI and DNS SANs and a valid self-signature', async () => {
  const keys = await generateKeyPair();
  const der = await createCsr({ keys, uri: 'spiffe://example.org/webhook', dnsNames: ['svc.ns.svc', 'svc'] });
  const parsed = await parseCsr(der);
  assert.equal(parsed.signatureValid, true);
  assert.deepEqual(parsed.uris, ['spiffe://example.org/webhook']);
  assert.deepEqual(parsed.dnsNames, ['svc.ns.svc', 'svc']);
  assert.equal(parsed.subject, '');
});

test('a CSR with a corrupted signature parses but does not verify', async () => {
  const der = await createCsr({ keys: await generateKeyPair(), uri: 'spiffe://example.org/w' });
  const bad = Uint8Array.from(der);
  bad[bad.length - 5] = (bad[bad.length - 5] as number) ^ 0xff;
  assert.equal((await parseCsr(bad)).signatureValid, false);
});

test('parseCsr throws on bytes that are not a CSR', async () => {
  await assert.rejects(parseCsr(new Uint8Array([1, 2, 3])));
});

test('signCsr issues a leaf for the CSR key with its SANs, verifiable against the CA', async () => {
  const ca = await createCa({ commonName: 'ca' });
  const keys = await generateKeyPair();
  const csr = await createCsr({ keys, uri: 'spiffe://example.org/webhook', dnsNames: ['a.svc'] });
  const now = new Date('2031-05-05T00:00:00Z');
  const signed = await signCsr(ca, csr, { ttlSeconds: 3600, now, subject: 'CN=a.svc, O=SPIRE' });
  const cert = new X509Certificate(signed.der);
  assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
  assert.equal(cert.subjectAltName, 'URI:spiffe://example.org/webhook, DNS:a.svc');
  assert.match(cert.subject, /CN=a\.svc/);
  assert.equal(signed.notAfter.toISOString(), '2031-05-05T01:00:00.000Z');
  const spki = Buffer.from(await crypto.subtle.exportKey('spki', keys.publicKey));
  assert.deepEqual(cert.publicKey.export({ type: 'spki', format: 'der' }), spki);
});

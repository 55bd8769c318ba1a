import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { test } from 'node:test';
import { createCa, issueKeyAndCert } from './ca.js';

test('a CA is self-signed, marked CA:true, and carries its URI SAN', async () => {
  const ca = await createCa({ commonName: 'test-ca', uriSan: 'spiffe://example.org' });
  const cert = new X509Certificate(ca.certPem);
  assert.equal(cert.ca, true);
  assert.ok(cert.checkIssued(cert));
  assert.ok(cert.verify(cert.publicKey));
  assert.equal(cert.subjectAltName, 'URI:spiffe://example.org');
  assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
});

test('a leaf issued by a CA verifies against it and not against another CA', async () => {
  const ca = await createCa({ commonName: 'ca-1' });
  const other = await createCa({ commonName: 'ca-2' });
  const leaf = await issueKeyAndCert(ca, { usage: 'server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], uris: ['spiffe://example.org/w'] });
  const cert = new X509Certificate(leaf.certPem);
  assert.equal(cert.ca, false);
  assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
  assert.equal(cert.verify(new X509Certificate(other.certPem).publicKey), false);
  assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)));
  assert.equal(cert.subjectAltName, 'URI:spiffe://example.org/w, DNS:localhost, IP Address:127.0.0.1');
  assert.deepEqual(new Uint8Array(cert.raw), leaf.der);
});

test('validity follows the injected clock and TTL, in whole seconds', async () => {
  const now = new Date('2030-01-02T03:04:05.678Z');
  const ca = await createCa({ commonName: 'ca', now, ttlSeconds: 7200 });
  const leaf = await issueKeyAndCert(ca, { usage: 'client', now, ttlSeconds: 60 });
  assert.equal(new Date(new X509Certificate(ca.certPem).validTo).toISOString(), '2030-01-02T05:04:05.000Z');
  assert.equal(leaf.notAfter.toISOString(), '2030-01-02T03:05:05.000Z');
  assert.equal(new Date(new X509Certificate(leaf.certPem).validFrom).toISOString(), '2030-01-02T03:04:05.000Z');
});

test('node:tls completes an mTLS handshake on 127.0.0.1 with the issued certificates', async (t) => {
  const ca = await createCa({ commonName: 'mtls-ca' });
  const server = await issueKeyAndCert(ca, { usage: 'server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const client = await issueKeyAndCert(ca, { usage: 'client', commonName: 'client-1' });
  const srv = createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (s) => {
    s.end(`hello ${s.getPeerCertificate().subject.CN}`);
  });
  t.after(() => srv.close());
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca: ca.certPem, cert: client.certPem, key: client.keyPem });
  t.after(() => socket.destroy());
  let text = '';
  socket.on('data', (d: Buffer) => { text += d.toString(); });
  await once(socket, 'end');
  assert.equal(socket.authorized, true);
  assert.equal(text, 'hello client-1');
});

test('the server rejects a client certificate from another CA', async (t) => {
  const ca = await createCa({ commonName: 'ca' });
  const rogue = await createCa({ commonName: 'rogue' });
  const server = await issueKeyAndCert(ca, { usage: 'server', ipAddresses: ['127.0.0.1'] });
  const client = await issueKeyAndCert(rogue, { usage: 'client' });
  const srv = createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (s) => s.end('no'));
  t.after(() => srv.close());
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  const socket = connect({ host: '127.0.0.1', port, ca: ca.certPem, cert: client.certPem, key: client.keyPem });
  t.after(() => socket.destroy());
  const outcome = await new Promise<string>((resolve) => {
    socket.on('data', () => resolve('data'));
    socket.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    socket.on('close', () => resolve('closed'));
  });
  assert.notEqual(outcome, 'data');
});

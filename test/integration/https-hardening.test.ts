// runtime/https/https-server.ts against slow, silent and greedy clients, weak cipher suites and broken
// certificate files: each is cut off or refused while a good client keeps being served.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import tls from 'node:tls';
import { Hono } from 'hono';
import pino from 'pino';
import { createCa, issueKeyAndCert } from '../../adapters/x509/index.js';
import type { ConnectionLimits } from '../../runtime/https/connection-limits.js';
import { startHttpsServer } from '../../runtime/https/https-server.js';
import { waitUntil } from '../fixtures/wait-until.js';
import { httpsRequest } from './webhook-client.js';

const app = new Hono().get('/hello', (c) => c.text('hello'));
// A bound on each test, so that a server that never cuts a client fails the test instead of hanging it.
const bounded = { timeout: 60_000 };

async function fixture(t: TestContext, limits: Partial<ConnectionLimits>, requireClientCert = false) {
  const dir = await mkdtemp(join(tmpdir(), 'https-hardening-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = await createCa({ commonName: 'test webhook CA' });
  const leaf = await issueKeyAndCert(ca, { commonName: 'webhook', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  const paths = { certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem'), caPath: join(dir, 'ca.pem') };
  await writeFile(paths.certPath, leaf.certPem);
  await writeFile(paths.keyPath, leaf.keyPem);
  await writeFile(paths.caPath, ca.certPem);
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
  const server = await startHttpsServer({ app, addr: '127.0.0.1:0', ...paths, requireClientCert, logger, reloadIntervalMs: 3_600_000, limits });
  t.after(() => server.close());
  const client = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', usage: 'client' });
  const good = { ca: ca.certPem, cert: client.certPem, key: client.keyPem };
  const hello = async () => (await httpsRequest(`https://127.0.0.1:${server.port}/hello`, good)).status;
  return { ca, paths, server, lines, good, hello };
}

test('a client trickling its headers is cut off (408) at headersTimeout; a good client is served meanwhile', bounded, async (t) => {
  const f = await fixture(t, { headersTimeoutMs: 200, requestTimeoutMs: 400, checkIntervalMs: 50 });
  const slow = tls.connect({ host: '127.0.0.1', port: f.server.port, ca: f.ca.certPem, servername: 'localhost' });
  await once(slow, 'secureConnect');
  const received: Buffer[] = [];
  slow.on('data', (d: Buffer) => received.push(d));
  slow.write('POST /hello HTTP/1.1\r\nHost: localhost\r\nX-Slow: a');
  assert.equal(await f.hello(), 200);
  await once(slow, 'close');
  assert.match(Buffer.concat(received).toString(), /^HTTP\/1\.1 408 /);
  assert.equal(await f.hello(), 200);
});

test('a TCP connection that never starts a TLS handshake is closed at handshakeTimeout', bounded, async (t) => {
  const f = await fixture(t, { handshakeTimeoutMs: 200 });
  const silent = net.connect({ host: '127.0.0.1', port: f.server.port });
  await once(silent, 'connect');
  await once(silent, 'close');
  assert.equal(await f.hello(), 200);
});

test('connections beyond maxConnections are closed at once; the server serves again once they go', bounded, async (t) => {
  const f = await fixture(t, { maxConnections: 2 });
  const held = await Promise.all([0, 1].map(async () => {
    const s = net.connect({ host: '127.0.0.1', port: f.server.port });
    await once(s, 'connect');
    return s;
  }));
  // The third is accepted by the kernel and closed by the server without a byte.
  const third = net.connect({ host: '127.0.0.1', port: f.server.port });
  const data: Buffer[] = [];
  third.on('data', (d: Buffer) => data.push(d));
  third.on('error', () => {});
  await once(third, 'close');
  assert.equal(Buffer.concat(data).length, 0);
  for (const s of held) s.destroy();
  await Promise.all(held.map((s) => once(s, 'close')));
  // The server counts a connection gone once its close is processed; retry the good client until then
  // (paced: a refusal is immediate, so an unpaced count of tries could run out on a loaded machine).
  await waitUntil('the good client served again', async () => (await f.hello().catch(() => 0)) === 200, { intervalMs: 20 });
});

test('TLS 1.2 offers only ECDHE AEAD suites: a CBC/SHA-1 or static-RSA client is refused, GCM and TLS 1.3 are served', bounded, async (t) => {
  const f = await fixture(t, {});
  const url = `https://127.0.0.1:${f.server.port}/hello`;
  for (const ciphers of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-GCM-SHA256']) {
    await assert.rejects(httpsRequest(url, { ca: f.ca.certPem, maxVersion: 'TLSv1.2', ciphers }), Error, ciphers);
  }
  const gcm = await httpsRequest(url, { ca: f.ca.certPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
  assert.equal(gcm.status, 200);
  assert.equal((await httpsRequest(url, { ca: f.ca.certPem, minVersion: 'TLSv1.3' })).status, 200);
});

test('a CA, certificate or key file replaced with garbage is not loaded: a warning, and the old context keeps serving', bounded, async (t) => {
  const f = await fixture(t, {}, true);
  const other = await issueKeyAndCert(f.ca, { commonName: 'other', usage: 'server' });
  const cases: [string, string, RegExp][] = [
    [f.paths.caPath, 'garbage, no certificate here\n', /CA certificate .*ca\.pem holds no PEM certificate/],
    [f.paths.caPath, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /ca\.pem: certificate 1 does not parse/],
    [f.paths.certPath, 'garbage', /certificate .*cert\.pem holds no PEM certificate/],
    [f.paths.keyPath, other.keyPem, /does not match certificate/],
  ];
  for (const [path, content, reason] of cases) {
    const original = await import('node:fs/promises').then((fs) => fs.readFile(path, 'utf8'));
    await writeFile(path, content);
    f.lines.length = 0;
    assert.equal(await f.server.reload(), false);
    const warning = f.lines.find((l) => l.msg === 'TLS files not reloaded; keeping the current certificate') as { err?: { message: string } } | undefined;
    assert.ok(warning, `no warning for ${path}`);
    assert.match(JSON.stringify(warning.err), reason);
    assert.ok(!f.lines.some((l) => l.msg === 'Reloaded TLS certificate'));
    assert.equal(await f.hello(), 200);
    await writeFile(path, original);
  }
});

test('start-up refuses a CA file that holds no certificate, naming it', bounded, async (t) => {
  const f = await fixture(t, {});
  await writeFile(f.paths.caPath, 'not a certificate');
  await assert.rejects(
    startHttpsServer({ app, addr: '127.0.0.1:0', ...f.paths, requireClientCert: true, logger: pino({ level: 'silent' }) }),
    /CA certificate .*ca\.pem holds no PEM certificate/,
  );
});

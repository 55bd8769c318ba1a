// runtime/https/https-server.ts over real sockets with certificates made here: client certificates are
// verified against the CA file, TLS < 1.2 is refused, and a rotated certificate (Kubernetes swaps the
// `..data` symlink of a mounted Secret) is served without a restart.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Hono } from 'hono';
import pino from 'pino';
import { createCa, issueKeyAndCert, x509, type Ca } from '../../adapters/x509/index.js';
import { startHttpsServer } from '../../runtime/https/https-server.js';
import { httpsRequest } from './webhook-client.js';
import { waitUntil } from '../fixtures/wait-until.js';

const silent = pino({ level: 'silent' });
const app = new Hono().get('/hello', (c) => c.text('hello'));

async function serverCert(ca: Ca) {
  return issueKeyAndCert(ca, { commonName: 'k8s-workload-registrar.spire.svc', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
}

/** Writes files the way the kubelet mounts a Secret: name -> ..data/name, ..data -> ..<timestamp>. */
async function mountLikeKubelet(dir: string, files: Record<string, string>, generation: number): Promise<void> {
  const versioned = join(dir, `..gen_${generation}`);
  await mkdir(versioned);
  for (const [name, content] of Object.entries(files)) await writeFile(join(versioned, name), content);
  await symlink(`..gen_${generation}`, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  if (generation === 0) for (const name of Object.keys(files)) await symlink(join('..data', name), join(dir, name));
}

async function fixture(t: TestContext, requireClientCert: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'webhook-https-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = await createCa({ commonName: 'test webhook CA' });
  const leaf = await serverCert(ca);
  await mountLikeKubelet(dir, { 'cert.pem': leaf.certPem, 'key.pem': leaf.keyPem, 'ca.pem': ca.certPem }, 0);
  const server = await startHttpsServer({
    app,
    addr: '127.0.0.1:0',
    certPath: join(dir, 'cert.pem'),
    keyPath: join(dir, 'key.pem'),
    caPath: join(dir, 'ca.pem'),
    requireClientCert,
    logger: silent,
    reloadIntervalMs: 20,
  });
  t.after(() => server.close());
  const client = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', usage: 'client' });
  return { dir, ca, leaf, server, url: `https://127.0.0.1:${server.port}/hello`, client };
}

test('a client certificate signed by the CA is accepted', async (t) => {
  const f = await fixture(t, true);
  const res = await httpsRequest(f.url, { ca: f.ca.certPem, cert: f.client.certPem, key: f.client.keyPem });
  assert.deepEqual([res.status, res.text], [200, 'hello']);
});

test('a client without a certificate is refused during the handshake', async (t) => {
  const f = await fixture(t, true);
  await assert.rejects(httpsRequest(f.url, { ca: f.ca.certPem }), (err: NodeJS.ErrnoException) => {
    assert.match(`${err.code} ${err.message}`, /certificate|ECONNRESET|socket hang up/i);
    return true;
  });
});

test('a client certificate from another CA is refused', async (t) => {
  const f = await fixture(t, true);
  const other = await createCa({ commonName: 'other CA' });
  const stranger = await issueKeyAndCert(other, { commonName: 'intruder', usage: 'client' });
  await assert.rejects(httpsRequest(f.url, { ca: f.ca.certPem, cert: stranger.certPem, key: stranger.keyPem }));
});

test('insecure_skip_client_verification: a client without a certificate is served', async (t) => {
  const f = await fixture(t, false);
  const res = await httpsRequest(f.url, { ca: f.ca.certPem });
  assert.equal(res.status, 200);
});

test("TLS 1.1 is refused: TLS 1.2 is the minimum (differs from the original, which took Go's default)", async (t) => {
  const f = await fixture(t, false);
  await assert.rejects(httpsRequest(f.url, { ca: f.ca.certPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }));
});

test('a rotated certificate is served without a restart (differs from the original, which read the files once)', async (t) => {
  const f = await fixture(t, true);
  const tls = { ca: f.ca.certPem, cert: f.client.certPem, key: f.client.keyPem };
  const fingerprint = (pem: string) => new x509.X509Certificate(pem).getThumbprint('SHA-256');
  const before = await httpsRequest(f.url, tls);
  const oldPrint = Buffer.from(await fingerprint(f.leaf.certPem)).toString('hex');
  assert.equal(before.serverFingerprint.replaceAll(':', '').toLowerCase(), oldPrint);

  const next = await serverCert(f.ca);
  await mountLikeKubelet(f.dir, { 'cert.pem': next.certPem, 'key.pem': next.keyPem, 'ca.pem': f.ca.certPem }, 1);
  const newPrint = Buffer.from(await fingerprint(next.certPem)).toString('hex');
  // The server polls every 20 ms; wait until a new handshake shows the new certificate.
  await waitUntil('a handshake with the new certificate', async () =>
    (await httpsRequest(f.url, tls)).serverFingerprint.replaceAll(':', '').toLowerCase() === newPrint,
  );
});

test('a certificate/key pair that does not match is not loaded; the old one keeps serving', async (t) => {
  const f = await fixture(t, true);
  const tls = { ca: f.ca.certPem, cert: f.client.certPem, key: f.client.keyPem };
  const other = await serverCert(f.ca);
  await mountLikeKubelet(f.dir, { 'cert.pem': other.certPem, 'key.pem': f.leaf.keyPem, 'ca.pem': f.ca.certPem }, 1);
  assert.equal(await f.server.reload(), false);
  assert.equal((await httpsRequest(f.url, tls)).status, 200);
});

test('missing certificate files fail start-up naming every missing path, always in the same order', async () => {
  await assert.rejects(
    startHttpsServer({ app, addr: '127.0.0.1:0', certPath: '/nonexistent/cert.pem', keyPath: '/nonexistent/key.pem', caPath: '/nonexistent/ca.pem', requireClientCert: true, logger: silent }),
    { message: 'unable to load server keypair: read certificate /nonexistent/cert.pem; read private key /nonexistent/key.pem; read CA certificate /nonexistent/ca.pem' },
  );
});

// Parity with the webhook-era server_test.go (spiffe/spire a9bae499, TestServer): the webhook's HTTPS
// listener refuses bad addresses and files at start-up, and serves only clients whose certificate
// chains to the CA file unless insecure_skip_client_verification is set. Here: runtime/https's server
// (the one webhook mode runs) with certificates made in the test and an echo app, over real sockets.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after, test } from 'node:test';
import pino from 'pino';
import { createCa, issueKeyAndCert, type IssuedLeaf } from '../../adapters/x509/index.js';
import { startHttpsServer, type HttpsServerOptions } from '../../runtime/https/https-server.js';
import { httpsRequest, type ClientTls } from '../integration/webhook-client.js';

let dir = '';
let caPem = '';
let client: IssuedLeaf;
let stranger: IssuedLeaf;
const files = { cert: '', key: '', cacert: '', bad: '' };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parity-server-'));
  const ca = await createCa({ commonName: 'webhook CA' });
  const other = await createCa({ commonName: 'some other CA' });
  const serving = await issueKeyAndCert(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  client = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', usage: 'client' });
  stranger = await issueKeyAndCert(other, { commonName: 'kube-apiserver', usage: 'client' });
  caPem = ca.certPem;
  Object.assign(files, { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), cacert: join(dir, 'cacert.pem'), bad: join(dir, 'bad') });
  await writeFile(files.cert, serving.certPem);
  await writeFile(files.key, serving.keyPem, { mode: 0o600 });
  await writeFile(files.cacert, ca.certPem);
});
after(() => rm(dir, { recursive: true, force: true }));

const echo = { fetch: async (req: Request) => new Response(await req.text()) };
const options = (o: Partial<HttpsServerOptions> = {}): HttpsServerOptions => ({
  app: echo,
  addr: '127.0.0.1:0',
  certPath: files.cert,
  keyPath: files.key,
  caPath: files.cacert,
  requireClientCert: true,
  logger: pino({ level: 'silent' }),
  ...o,
});
const name = (c: string) => `server_test.go TestServer/${c}`;

const startFails: [string, () => Partial<HttpsServerOptions>, RegExp][] = [
  ['bad addr', () => ({ addr: 'this is not a good addr' }), /^unable to listen: /],
  ['bad cert', () => ({ certPath: files.bad }), /^unable to load server keypair: read certificate \S+\/bad$/],
  ['bad key', () => ({ keyPath: files.bad }), /^unable to load server keypair: read private key \S+\/bad$/],
  ['bad cacert', () => ({ caPath: files.bad }), /^unable to read cacert file: read CA certificate \S+\/bad$/],
];
for (const [row, o, message] of startFails) {
  test(name(row), async () => {
    await assert.rejects(startHttpsServer(options(o())), (err: Error) => {
      assert.match(err.message, message);
      return true;
    });
  });
}

/** Starts a server, posts "Hello" with `tls`, closes the server; returns the reply text or the error. */
async function hello(o: Partial<HttpsServerOptions>, tls: Omit<ClientTls, 'ca'>): Promise<string> {
  const server = await startHttpsServer(options(o));
  try {
    const res = await httpsRequest(`https://127.0.0.1:${server.port}/`, { ca: caPem, ...tls }, { method: 'POST', body: 'Hello' });
    return `${res.status} ${res.text}`;
  } finally {
    await server.close();
  }
}

test(name('fails over TLS'), async () => {
  await assert.rejects(hello({}, {}));
});

test(name('success over TLS when verification skipped'), async () => {
  assert.equal(await hello({ requireClientCert: false }, {}), '200 Hello');
});

test(name('fails over mTLS with bad cert'), async () => {
  await assert.rejects(hello({}, { cert: stranger.certPem, key: stranger.keyPem }));
});

test(name('success over mTLS'), async () => {
  assert.equal(await hello({}, { cert: client.certPem, key: client.keyPem }), '200 Hello');
});

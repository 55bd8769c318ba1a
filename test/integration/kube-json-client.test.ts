// The lean JSON client (runtime/kube/kube-json-client.ts) and the SpiffeID writer over it, on real
// sockets: the requests it sends are client-node's, byte for byte in what the API server reads (method,
// path, headers, body), for each credential type it takes over; a rotated token file is picked up when
// client-node picks it up; TLS is verified against the kubeconfig's CA (or its tls-server-name, or not
// at all with insecure-skip-tls-verify), client certificates are presented, a certificate rewritten on
// disk from the next write on; failures are client-node's ApiException; a request the server may have read is never sent
// twice; a socket the server closed while idle is not reused. Credential types it does not handle fall
// back to client-node.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock, test, type TestContext } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { ApiException, KubeConfig } from '../../adapters/client-node.js';
import { startFakeKubeApi } from '../../adapters/kube-fake/index.js';
import { makeKubeConfig } from '../../adapters/kube-fake/kubeconfig.js';
import { createCa, issueKeyAndCert } from '../../adapters/x509/index.js';
import { declaredSpec } from '../../handlers/spiffeid/declared-spiffeid.js';
import { SPIFFEID_API_VERSION, SPIFFEID_KIND } from '../../handlers/spiffeid/spiffeid.js';
import { spiffeIdRest } from '../../runtime/crd/spiffeid-rest.js';
import { kubeSpiffeIdWriter } from '../../runtime/crd/spiffeid-writer.kube.js';
import { leanKubeClient, leanUnsupported } from '../../runtime/kube/kube-json-client.js';
import { idleClosingServer, SERVER_IDLE_MS } from '../fixtures/idle-closing-server.js';

const declared = {
  namespace: 'spire',
  name: 'web-0',
  labels: { podUid: 'u1' },
  owner: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'u1', controller: true, blockOwnerDeletion: false },
  spec: declaredSpec({ parentId: 'spiffe://example.org/spire/server', spiffeId: 'spiffe://example.org/web', selector: { podUid: 'u1', namespace: 'spire' } }),
};
const stored = { apiVersion: SPIFFEID_API_VERSION, kind: SPIFFEID_KIND, metadata: { name: 'web-0', namespace: 'spire', uid: 'uid-1', resourceVersion: '7', finalizers: ['f'], ownerReferences: [declared.owner] }, spec: declared.spec };
const observed = { namespace: 'spire', name: 'web-0', uid: 'uid-1', resourceVersion: '7', finalizers: ['f'] };

type Seen = { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string; peer?: string };

/** Records every request and answers with `answer` (default: the stored SpiffeID as JSON, 201 to a POST). */
async function recordingServer(
  t: TestContext,
  o: { tls?: { cert: string; key: string; ca?: string }; answer?: (req: IncomingMessage, res: ServerResponse, body: string) => void } = {},
): Promise<{ url: string; seen: Seen[]; connections: () => number; serverNames: (string | undefined)[] }> {
  const seen: Seen[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const cn = o.tls ? (req.socket as TLSSocket).getPeerCertificate().subject?.CN : undefined;
      const peer = Array.isArray(cn) ? cn.join(",") : cn;
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body, ...(peer ? { peer } : {}) });
      if (o.answer) return o.answer(req, res, body);
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stored));
    });
  };
  const server: Server = o.tls
    ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key, ...(o.tls.ca ? { ca: o.tls.ca, requestCert: true, rejectUnauthorized: true } : {}) }, handler)
    : createHttpServer(handler);
  // Per TLS connection, the name the client asked for (SNI; undefined when it sent none).
  const serverNames: (string | undefined)[] = [];
  server.on('secureConnection', (socket: TLSSocket) => serverNames.push(socket.servername || undefined));
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, connections: () => connections, serverNames };
}

function kubeConfigOf(cluster: Record<string, unknown>, user: Record<string, unknown>): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'c', skipTLSVerify: false, ...cluster } as never, { name: 'u', ...user } as never);
  return kc;
}

/** Every write the writer makes, in order: create, status patch, finalizer add and release, update (GET + PUT), delete. */
async function everyWrite(kc: KubeConfig, transport: 'auto' | 'client-node'): Promise<void> {
  const w = kubeSpiffeIdWriter(kc, { transport });
  await w.create(declared, ['f']);
  await w.writeStatus(observed, { entryId: 'e1', conditions: [{ type: 'Ready', status: 'True', reason: 'EntryReady', message: 'm', lastTransitionTime: 't' }] });
  await w.addFinalizer({ ...observed, finalizers: [] }, 'g');
  await w.releaseFinalizer(observed, 'f');
  await w.update(declared);
  await w.delete(observed, 'uid-1');
}

/** What the server read, the port-bearing Host header aside. */
const onTheWire = (seen: readonly Seen[]) => seen.map(({ headers: { host: _host, ...headers }, ...rest }) => ({ ...rest, headers }));

test('the lean client sends what client-node sends, for every write, with a bearer token and a server path prefix', async (t) => {
  const lean = await recordingServer(t);
  const cn = await recordingServer(t);
  const kc = (url: string) => kubeConfigOf({ server: `${url}/k8s/clusters/c-1`, skipTLSVerify: true }, { token: 'abc', impersonateUser: 'someone' });
  assert.equal(spiffeIdRest(kc(lean.url)).transport, 'lean');
  await everyWrite(kc(lean.url), 'auto');
  await everyWrite(kc(cn.url), 'client-node');
  assert.equal(lean.seen.length, 7);
  assert.deepEqual(onTheWire(lean.seen), onTheWire(cn.seen));
  assert.deepEqual(
    lean.seen.map((s) => `${s.method} ${s.url} ${s.headers['content-type'] ?? ''}`),
    [
      'POST /k8s/clusters/c-1/apis/spiffeid.spiffe.io/v1beta1/namespaces/spire/spiffeids application/json',
      'PATCH /k8s/clusters/c-1/apis/spiffeid.spiffe.io/v1beta1/namespaces/spire/spiffeids/web-0/status application/merge-patch+json',
      'PATCH /k8s/clusters/c-1/apis/spiffeid.spiffe.io/v1beta1/namespaces/spire/spiffeids/web-0 application/merge-patch+json',
      'PATCH /k8s/clusters/c-1/apis/spiffeid.spiffe.io/v1beta1/namespaces/spire/spiffeids/web-0 application/merge-patch+json',
      'GET /k8s/clusters/c-1/apis/spiffeid.spiffe.io/v1beta1/namespaces/spire/spiffeids/web-0 ',
      'PUT /k8s/clusters/c-1/apis/spiffeid.spiffe.io/v1beta1/namespaces/spire/spiffeids/web-0 application/json',
      'DELETE /k8s/clusters/c-1/apis/spiffeid.spiffe.io/v1beta1/namespaces/spire/spiffeids/web-0 application/json',
    ],
  );
  assert.equal(lean.seen[0]?.headers.authorization, 'Bearer abc');
  assert.equal(lean.seen[0]?.headers['impersonate-user'], 'someone');
  assert.equal(lean.seen[1]?.body, '{"status":{"entryId":"e1","conditions":[{"type":"Ready","status":"True","reason":"EntryReady","message":"m","lastTransitionTime":"t"}]},"metadata":{"resourceVersion":"7"}}');
  assert.equal(lean.seen[6]?.body, '{"preconditions":{"uid":"uid-1"}}');
});

test('the lean client sends what client-node sends with basic auth', async (t) => {
  const lean = await recordingServer(t);
  const cn = await recordingServer(t);
  const kc = (url: string) => kubeConfigOf({ server: url, skipTLSVerify: true }, { username: 'admin', password: 's3cret' });
  assert.equal(spiffeIdRest(kc(lean.url)).transport, 'lean');
  await everyWrite(kc(lean.url), 'auto');
  await everyWrite(kc(cn.url), 'client-node');
  assert.deepEqual(onTheWire(lean.seen), onTheWire(cn.seen));
  assert.equal(lean.seen[0]?.headers.authorization, `Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
});

test('a token file is re-read when client-node re-reads it (after 60 s), by both transports alike', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kube-json-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, 'token-1');
  const lean = await recordingServer(t);
  const cn = await recordingServer(t);
  const kc = (url: string) => kubeConfigOf({ server: url, skipTLSVerify: true }, { authProvider: { name: 'tokenFile', config: { tokenFile } } });
  const writers = { lean: kubeSpiffeIdWriter(kc(lean.url)), cn: kubeSpiffeIdWriter(kc(cn.url), { transport: 'client-node' }) };
  assert.equal(spiffeIdRest(kc(lean.url)).transport, 'lean');
  mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-11-30T12:00:00Z') });
  t.after(() => mock.timers.reset());
  const both = async () => {
    await writers.lean.releaseFinalizer(observed, 'f');
    await writers.cn.releaseFinalizer(observed, 'f');
  };
  await both();
  await writeFile(tokenFile, 'token-2');
  mock.timers.tick(30_000);
  await both();
  mock.timers.tick(31_000);
  await both();
  const tokens = (seen: readonly Seen[]) => seen.map((s) => s.headers.authorization);
  assert.deepEqual(tokens(lean.seen), ['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
  assert.deepEqual(tokens(lean.seen), tokens(cn.seen));
});

test('TLS: the kubeconfig CA is checked, the client certificate is presented, and the requests match client-node', async (t) => {
  const ca = await createCa({ commonName: 'kube-json test CA' });
  const serving = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const client = await issueKeyAndCert(ca, { commonName: 'registrar', usage: 'client' });
  const tls = { cert: serving.certPem, key: serving.keyPem, ca: ca.certPem };
  const lean = await recordingServer(t, { tls });
  const cn = await recordingServer(t, { tls });
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  const kc = (url: string) => kubeConfigOf({ server: url, caData: b64(ca.certPem) }, { certData: b64(client.certPem), keyData: b64(client.keyPem) });
  assert.equal(spiffeIdRest(kc(lean.url)).transport, 'lean');
  await everyWrite(kc(lean.url), 'auto');
  await everyWrite(kc(cn.url), 'client-node');
  assert.deepEqual(onTheWire(lean.seen), onTheWire(cn.seen));
  assert.deepEqual(new Set(lean.seen.map((s) => s.peer)), new Set(['registrar']), 'every request presented the client certificate');

  // A server whose certificate the kubeconfig's CA did not sign is refused, before any request is sent.
  const other = await createCa({ commonName: 'another CA' });
  const stranger = await issueKeyAndCert(other, { commonName: 'impostor', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const impostor = await recordingServer(t, { tls: { cert: stranger.certPem, key: stranger.keyPem } });
  const w = kubeSpiffeIdWriter(kc(impostor.url));
  await assert.rejects(w.writeStatus(observed, { entryId: 'e1', conditions: [] }), (err: Error) => {
    assert.equal(err.message, 'write status of SpiffeID spire/web-0');
    assert.match((err.cause as Error).message, /^request to https:\/\/127\.0\.0\.1:\d+\/apis\/spiffeid\.spiffe\.io\/v1beta1\/namespaces\/spire\/spiffeids\/web-0\/status failed, reason: /);
    return true;
  });
  assert.equal(impostor.seen.length, 0);
});

test('TLS: tls-server-name is the name checked against the server certificate (and sent as SNI), as in client-node', async (t) => {
  const ca = await createCa({ commonName: 'kube-json test CA' });
  // Only a DNS name: reached at 127.0.0.1, the certificate matches nothing unless the client names it.
  const serving = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', dnsNames: ['kubernetes.default.svc'], usage: 'server' });
  const s = await recordingServer(t, { tls: { cert: serving.certPem, key: serving.keyPem } });
  const caData = Buffer.from(ca.certPem).toString('base64');
  const named = kubeConfigOf({ server: s.url, caData, tlsServerName: 'kubernetes.default.svc' }, { token: 't' });
  assert.equal(spiffeIdRest(named).transport, 'lean');
  await kubeSpiffeIdWriter(named).writeStatus(observed, { entryId: 'e1', conditions: [] });
  await kubeSpiffeIdWriter(named, { transport: 'client-node' }).writeStatus(observed, { entryId: 'e1', conditions: [] });
  assert.equal(s.seen.length, 2);
  assert.deepEqual(s.serverNames, ['kubernetes.default.svc', 'kubernetes.default.svc']);

  // Without it the certificate's name does not match the address: refused, before any request is sent.
  const unnamed = kubeConfigOf({ server: s.url, caData }, { token: 't' });
  await assert.rejects(kubeSpiffeIdWriter(unnamed).writeStatus(observed, { entryId: 'e1', conditions: [] }), (err: Error) => {
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    return true;
  });
  assert.equal(s.seen.length, 2);
});

test('TLS: insecure-skip-tls-verify over https accepts a certificate from an unknown CA; without it and without a CA, it is refused', async (t) => {
  const unknown = await createCa({ commonName: 'a CA the kubeconfig does not name' });
  const serving = await issueKeyAndCert(unknown, { commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const s = await recordingServer(t, { tls: { cert: serving.certPem, key: serving.keyPem } });
  const skip = kubeConfigOf({ server: s.url, skipTLSVerify: true }, { token: 't' });
  assert.equal(spiffeIdRest(skip).transport, 'lean');
  await kubeSpiffeIdWriter(skip).writeStatus(observed, { entryId: 'e1', conditions: [] });
  await kubeSpiffeIdWriter(skip, { transport: 'client-node' }).writeStatus(observed, { entryId: 'e1', conditions: [] });
  assert.equal(s.seen.length, 2);

  const verify = kubeConfigOf({ server: s.url, skipTLSVerify: false }, { token: 't' });
  await assert.rejects(kubeSpiffeIdWriter(verify).writeStatus(observed, { entryId: 'e1', conditions: [] }), (err: Error) => {
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    return true;
  });
  assert.equal(s.seen.length, 2);
});

test('TLS: a client certificate rewritten on disk is presented from the next write on (a new connection), as client-node reads the files per request', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kube-json-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = await createCa({ commonName: 'kube-json test CA' });
  const serving = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const s = await recordingServer(t, { tls: { cert: serving.certPem, key: serving.keyPem, ca: ca.certPem } });
  const certFile = join(dir, 'client.crt');
  const keyFile = join(dir, 'client.key');
  const install = async (commonName: string) => {
    const leaf = await issueKeyAndCert(ca, { commonName, usage: 'client' });
    await writeFile(certFile, leaf.certPem);
    await writeFile(keyFile, leaf.keyPem);
  };
  await install('registrar-1');
  const kc = kubeConfigOf({ server: s.url, caData: Buffer.from(ca.certPem).toString('base64') }, { certFile, keyFile });
  assert.equal(spiffeIdRest(kc).transport, 'lean');
  const w = kubeSpiffeIdWriter(kc);
  const write = () => w.writeStatus(observed, { entryId: 'e1', conditions: [] });
  await write();
  await write();
  assert.equal(s.connections(), 1, 'the same certificate, read afresh from the files, keeps the connection');
  await install('registrar-2');
  await write();
  await write();
  assert.deepEqual(s.seen.map((x) => x.peer), ['registrar-1', 'registrar-1', 'registrar-2', 'registrar-2']);
  assert.equal(s.connections(), 2, 'one new connection for the new certificate, then kept');
});

test('against the fake API server over HTTPS with a token: writes land; a refused token is client-node ApiException 401', async (t) => {
  const ca = await createCa({ commonName: 'fake-apiserver-ca' });
  const serving = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const kube = await startFakeKubeApi({ namespaces: ['spire'], tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem } });
  t.after(() => kube.close());
  kube.store.putObject(parseYaml(await readFile(new URL('../../deploy/crd/base/spiffeid.spiffe.io_spiffeids.yaml', import.meta.url), 'utf8')));
  kube.store.putObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'spire', uid: 'u1' }, spec: {} });
  const kc = kube.kubeConfig();
  assert.equal(spiffeIdRest(kc).transport, 'lean');
  const writer = kubeSpiffeIdWriter(kc);
  const made = await writer.create(declared, ['f']);
  assert.ok(made);
  await writer.writeStatus({ ...observed, uid: made.metadata.uid, resourceVersion: made.metadata.resourceVersion ?? '' }, { entryId: 'e1', conditions: [] });
  const got = kube.store.get(SPIFFEID_API_VERSION, SPIFFEID_KIND, 'web-0', 'spire');
  assert.equal((got?.status as { entryId: string }).entryId, 'e1');

  const refused = kubeSpiffeIdWriter(kube.kubeConfig('not-a-known-token'));
  await assert.rejects(refused.writeStatus(observed, { entryId: 'e2', conditions: [] }), (err: Error) => {
    assert.equal(err.message, 'write status of SpiffeID spire/web-0');
    assert.ok(err.cause instanceof ApiException);
    assert.equal(err.cause.code, 401);
    assert.match(err.cause.message, /^HTTP-Code: 401\nMessage: Unauthorized\n/);
    return true;
  });
});

test('an error answer is client-node ApiException with the body as text; 404 and 409 keep their meaning to the writer', async (t) => {
  let status = 500;
  const s = await recordingServer(t, {
    answer: (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","message":"boom"}');
    },
  });
  const kc = kubeConfigOf({ server: s.url, skipTLSVerify: true }, { token: 't' });
  const rest = spiffeIdRest(kc);
  await assert.rejects(rest.mergePatch(observed, { metadata: {} }), (err: unknown) => {
    assert.ok(err instanceof ApiException);
    assert.equal(err.code, 500);
    assert.equal(err.body, '{"kind":"Status","message":"boom"}');
    assert.match(err.message, /^HTTP-Code: 500\nMessage: Unknown API Status Code!\nBody: "\{\\"kind\\":\\"Status\\",\\"message\\":\\"boom\\"\}"\nHeaders: /);
    return true;
  });
  const w = kubeSpiffeIdWriter(kc);
  status = 404;
  s.seen.length = 0;
  await w.writeStatus(observed, { entryId: 'e1', conditions: [] }); // gone: nothing to do
  await w.delete(observed, 'uid-1');
  assert.equal(s.seen.length, 2);
  status = 409;
  s.seen.length = 0;
  assert.equal(await w.create(declared, []), undefined, 'the name is taken: no object');
  await w.delete(observed, 'uid-1'); // replaced by a newer object
  // A conflicting patch is re-read and retried (here every answer is 409: 1 patch, then 5 x GET, and the GET's 409 ends it).
  await assert.rejects(w.releaseFinalizer(observed, 'f'), /release finalizer of SpiffeID spire\/web-0/);
  assert.deepEqual(s.seen.map((x) => x.method), ['POST', 'DELETE', 'PATCH', 'GET', 'GET', 'GET', 'GET', 'GET']);
});

test('a gzip answer is decoded (the request asks for gzip, as client-node does)', async (t) => {
  const s = await recordingServer(t, {
    answer: (_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify(stored)));
    },
  });
  const w = kubeSpiffeIdWriter(kubeConfigOf({ server: s.url, skipTLSVerify: true }, { token: 't' }));
  const made = await w.create(declared, ['f']);
  assert.equal(made?.metadata.uid, 'uid-1');
});

test('a broken or hostile server is bounded: an answer past the size cap (also once decompressed) and a server that never finishes fail the request once', async (t) => {
  const big = JSON.stringify({ ...stored, pad: 'x'.repeat(64 * 1024) });
  let calls = 0;
  const s = await recordingServer(t, {
    answer: (req, res) => {
      calls++;
      if (req.url?.endsWith('/plain')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(big);
      } else if (req.url?.endsWith('/gzip')) {
        // ~300 bytes on the wire, 64 KiB once decompressed.
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(big));
      } else {
        // Headers and half a body, then nothing (the socket stays open).
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"kind":');
      }
    },
  });
  const client = leanKubeClient(kubeConfigOf({ server: s.url, skipTLSVerify: true }, { token: 't' }), { maxAnswerBytes: 16 * 1024, requestTimeoutMs: 300 });
  assert.ok(client);
  const get = (path: string) => client.send({ method: 'GET', path, answer: true });
  await assert.rejects(get('/plain'), (err: NodeJS.ErrnoException) => err.code === 'E2BIG' && /larger than 16384 bytes/.test(err.message));
  await assert.rejects(get('/gzip'), (err: NodeJS.ErrnoException) => err.code === 'ERR_BUFFER_TOO_LARGE');
  await assert.rejects(get('/stall'), (err: NodeJS.ErrnoException) => err.code === 'ETIMEDOUT' && /within 300 ms/.test(err.message));
  // Within the bounds, the same answer is read.
  const roomy = leanKubeClient(kubeConfigOf({ server: s.url, skipTLSVerify: true }, { token: 't' }));
  assert.equal(((await roomy?.send({ method: 'GET', path: '/gzip', answer: true })) as { pad: string }).pad.length, 64 * 1024);
  assert.equal(calls, 4, 'nothing was sent twice');
});

test('a request the server read is never sent again: the connection cut before the answer fails the write once', async (t) => {
  let cut = 0;
  const s = await recordingServer(t, {
    answer: (req) => {
      cut++;
      req.socket.destroy();
    },
  });
  const w = kubeSpiffeIdWriter(kubeConfigOf({ server: s.url, skipTLSVerify: true }, { token: 't' }));
  await assert.rejects(w.writeStatus(observed, { entryId: 'e1', conditions: [] }), (err: Error) => {
    assert.equal(err.message, 'write status of SpiffeID spire/web-0');
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'ECONNRESET');
    return true;
  });
  await assert.rejects(w.create(declared, ['f']), /create SpiffeID spire\/web-0/);
  assert.equal(cut, 2);
  assert.deepEqual(s.seen.map((x) => x.method), ['PATCH', 'POST']);
});

test('after an idle gap longer than the server allows, the lean client opens a new connection instead of failing', async (t) => {
  let clock = 0;
  const s = await idleClosingServer(t, () => clock);
  const client = leanKubeClient(makeKubeConfig({ server: s.url }), { now: () => clock, idleSocketMs: 60_000 });
  assert.ok(client);
  const get = () => client.send({ method: 'GET', path: '/api/v1/namespaces/spire', answer: true });
  assert.deepEqual(((await get()) as { metadata: unknown }).metadata, { name: 'spire' });
  clock += 1_000;
  await get();
  assert.equal(s.connections(), 1, 'a socket idle for less than its limit is reused');
  // The event loop may not have run the free-socket timer (a long synchronous pass): only the clock moved.
  clock += SERVER_IDLE_MS + 60_000;
  await get();
  assert.equal(s.connections(), 2);
});

test('credential types the lean client does not handle stay on client-node', () => {
  const server = 'https://127.0.0.1:6443';
  const lean = (cluster: Record<string, unknown>, user: Record<string, unknown>) => leanUnsupported(kubeConfigOf({ server, ...cluster }, user));
  assert.equal(lean({}, { token: 't' }), undefined);
  assert.equal(lean({}, { authProvider: { name: 'tokenFile', config: { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' } } }), undefined);
  assert.equal(lean({}, { username: 'a', password: 'b' }), undefined);
  assert.equal(lean({}, { certData: 'x', keyData: 'y' }), undefined);
  assert.equal(lean({ server: 'http://127.0.0.1:8080', skipTLSVerify: true }, { token: 't' }), undefined);
  assert.equal(lean({}, { exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1' } }), 'an exec credential plugin');
  assert.equal(lean({}, { authProvider: { name: 'oidc', config: { 'id-token': 'x' } } }), 'the oidc auth provider');
  assert.equal(lean({}, { authProvider: { name: 'gcp', config: {} } }), 'the gcp auth provider');
  assert.equal(lean({ proxyUrl: 'http://proxy:3128' }, { token: 't' }), 'a proxy');
  assert.equal(lean({ server: 'http://127.0.0.1:8080' }, { token: 't' }), 'a http: server');
  const noUser = new KubeConfig();
  noUser.loadFromOptions({ clusters: [{ name: 'c', server, skipTLSVerify: false }], users: [], contexts: [{ name: 'x', cluster: 'c', user: 'nobody' }], currentContext: 'x' });
  assert.equal(leanUnsupported(noUser), 'no current cluster or user');
  const exec = kubeConfigOf({}, { exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1' } });
  assert.equal(spiffeIdRest(exec).transport, 'client-node');
  assert.equal(spiffeIdRest(kubeConfigOf({}, { token: 't' }), { transport: 'client-node' }).transport, 'client-node');
});


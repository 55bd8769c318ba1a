// The SpiffeID webhook's serving certificate: minted through SPIRE (in-memory server's CA), written with
// tight modes, renewed at half-life and served without a restart; a read-only mounted directory is used as is.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startMemorySpireServer } from '../../adapters/spire-memory/start.js';
import { dersToPem } from '../../adapters/x509/index.js';
import { prepareServingCert } from '../../runtime/crd/serving-cert.js';
import { startHttpsServer } from '../../runtime/https/https-server.js';
import { createLogger } from '../../runtime/logger.js';
import { manualClock } from '../fixtures/manual-clock.js';
import { httpsRequest } from './webhook-client.js';

async function setup(t: import('node:test').TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'crd-cert-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const spire = await startMemorySpireServer({ socketPath: join(dir, 'api.sock') });
  t.after(() => spire.close());
  const logs: { msg: string }[] = [];
  const log = createLogger({ logLevel: 'debug', logFormat: 'json' }, { write: (l: string) => logs.push(JSON.parse(l)) });
  const ca = dersToPem(await spire.svidMinter.x509Authorities(), 'CERTIFICATE');
  return { dir, spire, log, logs, ca };
}

test('minted serving certificate: SANs, file modes, rotation at half-life served without restart', async (t) => {
  const { dir, spire, log, ca } = await setup(t);
  const clock = manualClock(Date.now());
  const certDir = join(dir, 'serving-certs');
  const cert = await prepareServingCert({
    dir: certDir, minter: spire.svidMinter, trustDomain: 'example.org', cluster: 'k8stest',
    serviceName: 'k8s-workload-registrar', namespace: 'spire', log, clock,
  });
  t.after(() => cert.stop());
  assert.equal(cert.source, 'minted');
  assert.equal((await stat(certDir)).mode & 0o777, 0o700);
  assert.equal((await stat(cert.certPath)).mode & 0o777, 0o600);
  assert.equal((await stat(cert.keyPath)).mode & 0o777, 0o600);
  const leaf = new X509Certificate(await readFile(cert.certPath));
  assert.match(leaf.subjectAltName ?? '', /URI:spiffe:\/\/example\.org\/k8s-workload-registrar\/k8stest\/webhook/);
  assert.match(leaf.subjectAltName ?? '', /DNS:k8s-workload-registrar\.spire\.svc/);

  const server = await startHttpsServer({
    app: { fetch: () => new Response('ok') }, addr: '127.0.0.1:0', certPath: cert.certPath, keyPath: cert.keyPath,
    requireClientCert: false, logger: log, reloadIntervalMs: 3_600_000,
  });
  t.after(() => server.close());
  const tls = { ca, servername: 'k8s-workload-registrar.spire.svc' };
  const url = `https://127.0.0.1:${server.port}/`;
  const before = await httpsRequest(url, tls);
  assert.equal(before.status, 200);

  let renewed = 0;
  let reloaded: boolean | undefined;
  cert.startRotation(async () => {
    renewed++;
    reloaded = await server.reload();
  });
  // Renewal is scheduled at half of the remaining lifetime.
  const lifetimeMs = cert.expiresAt * 1000 - clock.now();
  assert.deepEqual(clock.pendingDelays(), [Math.floor(lifetimeMs / 2)]);
  // The rotation sets its next timer only after the renewal and the reload finished (or, on failure, a
  // retry timer without them): waiting for that timer waits for the whole renewal, however long it takes.
  const rescheduled = clock.nextTimer();
  await clock.advance(Math.floor(lifetimeMs / 2));
  await rescheduled;
  assert.equal(renewed, 1);
  assert.equal(reloaded, true, 'the server switched to the renewed files');
  const after = await httpsRequest(url, tls);
  assert.equal(after.status, 200);
  assert.notEqual(after.serverFingerprint, before.serverFingerprint, 'the renewed certificate is served by the same listener');
  assert.equal(clock.pendingTimers(), 1, 'the next renewal is scheduled');
});

test('a read-only mounted webhook_cert_dir is used as is, with a warning and no rotation', async (t) => {
  const { dir, spire, log, logs } = await setup(t);
  const mounted = join(dir, 'mounted');
  await mkdir(mounted);
  await writeFile(join(mounted, 'tls.crt'), 'cert');
  await writeFile(join(mounted, 'tls.key'), 'key');
  const clock = manualClock(Date.now());
  const cert = await prepareServingCert({
    dir: mounted, minter: spire.svidMinter, trustDomain: 'example.org', cluster: 'k8stest',
    serviceName: 'k8s-workload-registrar', namespace: 'spire', log, clock, isReadOnlyDir: async () => true,
  });
  assert.equal(cert.source, 'mounted');
  assert.equal(await readFile(cert.certPath, 'utf8'), 'cert');
  cert.startRotation(async () => {});
  assert.equal(clock.pendingTimers(), 0);
  assert.ok(logs.some((l) => l.msg.startsWith('webhook_cert_dir is a read-only directory')));
  assert.equal(spire.core.calls().MintX509SVID, 0);
});

test('a read-only webhook_cert_dir without certificate files is a start-up error', async (t) => {
  const { dir, spire, log } = await setup(t);
  await assert.rejects(
    prepareServingCert({
      dir, minter: spire.svidMinter, trustDomain: 'example.org', cluster: 'k8stest', serviceName: 's', namespace: 'spire',
      log, clock: manualClock(0), isReadOnlyDir: async () => true,
    }),
    /is read-only but holds no tls\.crt and tls\.key/,
  );
});

test('an existing 0755 or 0777 webhook_cert_dir is never chmod-ed: a warning, and a planted symlink is not followed', async (t) => {
  const { dir, spire, log, logs } = await setup(t);
  for (const mode of [0o755, 0o777]) {
    const certDir = join(dir, `existing-${mode.toString(8)}`);
    await mkdir(certDir);
    await chmod(certDir, mode);
    // Someone who can write the directory plants the temp name as a link to a file of theirs.
    const victim = join(dir, `victim-${mode.toString(8)}`);
    await writeFile(victim, 'untouched');
    await symlink(victim, join(certDir, 'tls.key.tmp'));
    logs.length = 0;
    const cert = await prepareServingCert({
      dir: certDir, minter: spire.svidMinter, trustDomain: 'example.org', cluster: 'k8stest',
      serviceName: 'k8s-workload-registrar', namespace: 'spire', log, clock: manualClock(Date.now()),
    });
    t.after(() => cert.stop());
    assert.equal((await stat(certDir)).mode & 0o777, mode, 'the directory mode is left as it was');
    assert.equal(await readFile(victim, 'utf8'), 'untouched');
    assert.equal((await stat(cert.keyPath)).mode & 0o777, 0o600);
    assert.ok(logs.some((l) => l.msg.startsWith('webhook_cert_dir is accessible by group or others')));
  }
});

test('a webhook_cert_dir that is a file is a start-up error', async (t) => {
  const { dir, spire, log } = await setup(t);
  const file = join(dir, 'not-a-dir');
  await writeFile(file, '');
  await assert.rejects(
    prepareServingCert({ dir: file, minter: spire.svidMinter, trustDomain: 'example.org', cluster: 'k8stest', serviceName: 's', namespace: 'spire', log, clock: manualClock(0) }),
    /webhook_cert_dir .*not-a-dir is not a directory/,
  );
});

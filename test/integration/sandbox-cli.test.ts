// The sandbox command as users run it, and its parts swapped for others: the registrar started by hand
// (its own process, with the configuration and kubeconfig the sandbox wrote), another SPIRE server, another
// API server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFakeKubeApi } from '../../adapters/kube-fake/index.js';
import { connectSpire } from '../../adapters/spire/connect.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import { startMemorySpireServer } from '../../adapters/spire-memory/start.js';
import { kubeRest } from '../../runtime/sandbox/cluster/kube-rest.js';
import { sandboxNode } from '../../runtime/sandbox/cluster/sandbox-node.js';
import { loadManifests } from '../../runtime/sandbox/manifests.js';
import { startSandbox } from '../../runtime/sandbox/sandbox.js';
import { cli } from './cli-harness.js';
import { waitUntil } from '../fixtures/wait-until.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('sandbox tour --mode webhook prints the steps and exits 0 when every check passes', async () => {
  const r = await cli(['sandbox', 'tour', '--mode', 'webhook', '--seed', '4']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\$ k8s-workload-registrar entry show -socketPath \.sandbox\/api\.sock\nFound 3 entries/);
  assert.match(r.stdout, /\[ok\] 3 entries, as the tutorial expects/);
  assert.match(r.stdout, /Tour finished: every entry check passed \(webhook\)\./);
});

test('sandbox flags are checked: an unknown mode is a usage error', async () => {
  const r = await cli(['sandbox', '--mode', 'cluster']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--mode must be one of webhook, reconcile, crd \(got "cluster"\)/);
  const help = await cli(['sandbox', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--no-registrar/);
});

test('--no-registrar: the registrar started by hand with the written config and kubeconfig does the work', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-parts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sandbox = await startSandbox({ mode: 'reconcile', dir, registrar: false, seed: 9 });
  t.after(() => sandbox.close());
  assert.match(await readFile(sandbox.configPath, 'utf8'), /mode = "reconcile"[\s\S]*pod_label = "spire-workload"[\s\S]*log_path = /);

  const child = spawn(process.execPath, [join(ROOT, 'bin/k8s-workload-registrar.js'), '-config', sandbox.configPath], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath, MY_POD_NAMESPACE: 'spire' },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });

  const rest = kubeRest(sandbox.api!.url);
  for (const obj of await loadManifests(join(ROOT, 'deploy/reconcile/workload.yaml'))) {
    await rest.request('POST', `/apis/apps/v1/namespaces/spire/deployments`, obj);
  }
  const ids = () => sandbox.spire!.core.entries().map(entryFromWire).map((e) => e.spiffeId).sort();
  await waitUntil('two entries', () => ids().length >= 2, { intervalMs: 100 });
  assert.deepEqual(ids(), ['spiffe://example.org/example-workload', 'spiffe://example.org/spire-k8s-registrar/k8stest/node/minikube']);
  // SIGTERM aborts a pass in flight, so wait for the pass that wrote them to log its writes first.
  await waitUntil('the create log lines', async () => /msg="Created new spire entry"/.test(await readFile(sandbox.logPath, 'utf8').catch(() => '')), { intervalMs: 100 });
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(await readFile(sandbox.logPath, 'utf8'), /msg="Created new spire entry"/);
});

test('--no-spire: the registrar uses the SPIRE server at --spire-socket', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-spire-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const spire = await startMemorySpireServer({ socketPath: join(dir, 'other.sock'), trustDomain: 'example.org' });
  t.after(() => spire.close());
  const sandbox = await startSandbox({ mode: 'webhook', dir: join(dir, 'sandbox'), spire: false, spireSocket: spire.socketPath, seed: 9 });
  t.after(() => sandbox.close());
  assert.equal(sandbox.spire, undefined);
  assert.deepEqual(spire.core.entries().map(entryFromWire).map((e) => e.spiffeId), ['spiffe://example.org/k8s-workload-registrar/k8stest/node']);
});

test('--no-kube: the sandbox command runs the registrar against the API server $KUBECONFIG names', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-kube-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const api = await startFakeKubeApi({ namespaces: ['default', 'spire'] });
  t.after(() => api.close());
  await api.writeKubeconfig(join(dir, 'kubeconfig'));
  api.store.putObject(sandboxNode('node-uid', '2026-01-01T00:00:00Z'));
  const child = spawn(process.execPath, [join(ROOT, 'bin/k8s-workload-registrar.js'), 'sandbox', '--mode', 'reconcile', '--no-kube', '--dir', join(dir, 's')], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  await waitUntil('the sandbox to start (or exit)', () => stdout.includes('Press Ctrl-C') || child.exitCode !== null, { intervalMs: 50 });
  assert.match(stdout, /Kubernetes API: {2}not started; the registrar uses \$KUBECONFIG/);
  const spire = await connectSpire({ serverAddress: `unix://${join(dir, 's', 'api.sock')}`, trustDomain: 'example.org' });
  t.after(() => spire.close());
  const ids = async () => (await spire.entries.listEntries()).map((e) => e.spiffeId);
  await waitUntil('the node entry', async () => (await ids()).includes('spiffe://example.org/spire-k8s-registrar/k8stest/node/minikube'), { intervalMs: 100 });
  assert.deepEqual(await ids(), ['spiffe://example.org/spire-k8s-registrar/k8stest/node/minikube']);
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

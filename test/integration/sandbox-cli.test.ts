// The sandbox command as users run it, and its parts swapped: the registrar started by hand (as its own
// process, with the configuration and kubeconfig the sandbox wrote) against the sandbox's servers.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import { kubeRest } from '../../runtime/sandbox/cluster/kube-rest.js';
import { loadManifests } from '../../runtime/sandbox/manifests.js';
import { startSandbox } from '../../runtime/sandbox/sandbox.js';
import { cli } from './cli-harness.js';

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
  const deadline = Date.now() + 20_000;
  while (ids().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(ids(), ['spiffe://example.org/example-workload', 'spiffe://example.org/spire-k8s-registrar/k8stest/node/minikube']);
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(await readFile(sandbox.logPath, 'utf8'), /msg="Created new spire entry"/);
});

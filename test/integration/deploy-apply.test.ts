// Every deploy/<mode> directory is applied with the real kubectl (`kubectl apply -k`) to the fake API
// server, as an operator would to a cluster: it must be accepted whole, and the objects the tutorial
// relies on must exist afterwards. Skipped when kubectl is not on the PATH.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeKubeApi } from '../../adapters/kube-fake/index.js';

const exec = promisify(execFile);
const deployRoot = fileURLToPath(new URL('../../deploy/', import.meta.url));
const hasKubectl = await exec('kubectl', ['version', '--client']).then(() => true, () => false);
const skip = hasKubectl ? false : 'kubectl is not on the PATH';

async function applied(t: TestContext, dir: string) {
  const tmp = await mkdtemp(join(tmpdir(), 'deploy-apply-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  const kubeconfig = join(tmp, 'kubeconfig');
  await api.writeKubeconfig(kubeconfig);
  const env = { ...process.env, HOME: tmp, KUBECACHEDIR: join(tmp, 'cache') };
  const kubectl = (...args: string[]) =>
    exec('kubectl', ['--kubeconfig', kubeconfig, ...args], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  await kubectl('apply', '-k', dir);
  const names = async (resource: string, namespace = 'spire') =>
    (await kubectl('get', resource, '-n', namespace, '-o', 'name')).stdout.split('\n').filter(Boolean).sort();
  return { names, kubectl, tmp };
}

test('kubectl apply -k deploy/reconcile is accepted whole', { skip }, async (t) => {
  const { names } = await applied(t, join(deployRoot, 'reconcile'));
  assert.deepEqual(await names('statefulsets'), ['statefulset.apps/spire-server']);
  assert.deepEqual(await names('daemonsets'), ['daemonset.apps/spire-agent']);
  assert.ok((await names('configmaps')).includes('configmap/k8s-workload-registrar'));
  assert.ok((await names('deployments', 'spire')).length >= 1);
});

test('kubectl apply -k deploy/crd (and its webhook overlay) is accepted whole; the CRD serves spiffeids', { skip }, async (t) => {
  const { names, kubectl } = await applied(t, join(deployRoot, 'crd'));
  assert.deepEqual(await names('statefulsets'), ['statefulset.apps/spire-server']);
  await kubectl('apply', '-f', join(deployRoot, 'crd', 'test-spiffeid.yaml'));
  const { stdout } = await kubectl('get', 'spiffeids', '--all-namespaces', '-o', 'name');
  assert.match(stdout, /spiffeid.spiffeid.spiffe.io\/my-test-spiffeid/);
  await kubectl('apply', '-k', join(deployRoot, 'crd', 'webhook'));
  assert.ok((await names('validatingwebhookconfigurations', 'default')).some((n) => n.includes('k8s-workload-registrar')));
});

test('kubectl apply -k deploy/webhook is accepted whole once gen-certs has run', { skip }, async (t) => {
  const tmp = await mkdtemp(join(tmpdir(), 'deploy-webhook-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const dir = join(tmp, 'webhook');
  await cp(join(deployRoot, 'webhook'), dir, { recursive: true, filter: (src) => !src.includes('/generated') });
  await exec(join(deployRoot, 'webhook', 'gen-certs'), ['--out', join(dir, 'generated')]);
  const { names } = await applied(t, dir);
  assert.deepEqual(await names('statefulsets'), ['statefulset.apps/spire-server']);
  assert.ok((await names('secrets')).includes('secret/k8s-workload-registrar-secret'));
  assert.ok((await names('validatingwebhookconfigurations', 'default')).some((n) => n.includes('k8s-workload-registrar')));
});

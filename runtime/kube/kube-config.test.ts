import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig, ownNamespace } from './kube-config.js';

function kubeconfigYaml(server: string, context: string) {
  return `apiVersion: v1
kind: Config
clusters: [{ name: c-${context}, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]
users: [{ name: u-${context}, user: { token: t } }]
contexts: [{ name: ${context}, context: { cluster: c-${context}, user: u-${context} } }]
current-context: ${context}
`;
}

function tempDir(t: import('node:test').TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'kube-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('an explicit KubeConfig wins over everything', () => {
  const kc = new KubeConfig();
  const r = loadKubeConfig({ kubeConfig: kc, env: { KUBECONFIG: '/nonexistent', KUBERNETES_SERVICE_HOST: 'x' } });
  assert.equal(r.kubeConfig, kc);
  assert.equal(r.source, 'override');
});

test('KUBECONFIG is used before the in-cluster account, and several files merge', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a'), kubeconfigYaml('http://127.0.0.1:1', 'a'));
  writeFileSync(join(dir, 'b'), kubeconfigYaml('http://127.0.0.1:2', 'b'));
  const r = loadKubeConfig({
    env: { KUBECONFIG: [join(dir, 'a'), join(dir, 'b')].join(delimiter), KUBERNETES_SERVICE_HOST: '10.0.0.1' },
  });
  assert.equal(r.source, 'KUBECONFIG');
  assert.equal(r.kubeConfig.getCurrentCluster()?.server, 'http://127.0.0.1:1');
  assert.deepEqual(r.kubeConfig.getContexts().map((c) => c.name).sort(), ['a', 'b']);
});

test('in a pod (KUBERNETES_SERVICE_HOST) the service account is used', (t) => {
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  t.after(() => {
    for (const [k, v] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  // client-node's loadFromCluster reads these two from process.env itself.
  process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
  process.env.KUBERNETES_SERVICE_PORT = '443';
  const r = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' } });
  assert.equal(r.source, 'in-cluster');
  assert.equal(r.kubeConfig.getCurrentCluster()?.server, 'https://10.96.0.1:443');
});

test('otherwise ~/.kube/config', (t) => {
  const home = tempDir(t);
  mkdirSync(join(home, '.kube'));
  writeFileSync(join(home, '.kube', 'config'), kubeconfigYaml('http://127.0.0.1:3', 'home'));
  const r = loadKubeConfig({ env: { HOME: home } });
  assert.equal(r.source, 'home');
  assert.equal(r.kubeConfig.getCurrentCluster()?.server, 'http://127.0.0.1:3');
});

test('no configuration at all is an error saying what to set (no silent localhost:8080)', (t) => {
  assert.throws(() => loadKubeConfig({ env: { HOME: tempDir(t) } }), /set KUBECONFIG/);
});

test('an unreadable kubeconfig is an error with context', () => {
  assert.throws(
    () => loadKubeConfig({ kubeconfigPath: '/nonexistent/kubeconfig' }),
    (e: Error) => e.message === 'load Kubernetes client configuration' && e.cause instanceof Error,
  );
});

test('own namespace: MY_POD_NAMESPACE, then the service account file, then "default"', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'namespace');
  writeFileSync(file, 'spire\n');
  assert.equal(ownNamespace({ env: { MY_POD_NAMESPACE: 'registrar' }, namespaceFile: file }), 'registrar');
  assert.equal(ownNamespace({ env: {}, namespaceFile: file }), 'spire');
  assert.equal(ownNamespace({ env: {}, namespaceFile: join(dir, 'missing') }), 'default');
});

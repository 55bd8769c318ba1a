// Fake API server lifecycle behaviour: namespace deletion, orphaning, dry runs, delays, HTTPS serving.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { startFakeKubeApi } from '../../adapters/kube-fake/index.js';
import { createCa, issueKeyAndCert } from '../../adapters/x509/index.js';

test('a deleted namespace is Terminating, refuses new content, then is emptied and removed', async (t) => {
  const api = await startFakeKubeApi({ namespaceCleanupDelayMs: 50 });
  t.after(() => api.close());
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
  await core.createNamespacedPod({ namespace: 'doomed', body: { metadata: { name: 'p' }, spec: { containers: [] } } });
  await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'cm' } } });
  await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
  await core.deleteNamespace({ name: 'doomed' });
  assert.equal((await core.readNamespace({ name: 'doomed' })).status?.phase, 'Terminating');
  await assert.rejects(core.createNamespacedPod({ namespace: 'doomed', body: { metadata: { name: 'q' }, spec: { containers: [] } } }), (e: unknown) => e instanceof ApiException && e.code === 403);
  await api.idle();
  assert.deepEqual(api.store.list('v1', 'Pod', 'doomed'), []);
  assert.deepEqual(api.store.list('v1', 'ConfigMap', 'doomed').map((c) => c.metadata.name), ['held']);
  assert.ok(api.store.get('v1', 'Namespace', 'doomed'), 'waits for the finalizer');
  await core.patchNamespacedConfigMap({ name: 'held', namespace: 'doomed', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
  await api.idle();
  assert.equal(api.store.get('v1', 'Namespace', 'doomed'), undefined);
});

test('propagationPolicy Orphan keeps dependents and removes their reference to the owner', async (t) => {
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  const apps = api.kubeConfig().makeApiClient(AppsV1Api);
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  const rs = await apps.createNamespacedReplicaSet({ namespace: 'default', body: { metadata: { name: 'rs' }, spec: { selector: {}, template: {} } } });
  await core.createNamespacedPod({
    namespace: 'default',
    body: { metadata: { name: 'kept', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rs.metadata!.uid! }] }, spec: { containers: [] } },
  });
  await apps.deleteNamespacedReplicaSet({ name: 'rs', namespace: 'default', propagationPolicy: 'Orphan' });
  await api.idle();
  const kept = await core.readNamespacedPod({ name: 'kept', namespace: 'default' });
  assert.deepEqual(kept.metadata?.ownerReferences, []);
});

test('dryRun=All validates and admits but stores nothing', async (t) => {
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  const reviewed: boolean[] = [];
  api.onAdmission((req) => {
    reviewed.push(req.dryRun);
    return { allowed: true };
  });
  const out = await core.createNamespacedPod({ namespace: 'default', dryRun: 'All', body: { metadata: { name: 'dry' }, spec: { containers: [] } } });
  assert.equal(out.metadata?.name, 'dry');
  assert.equal(api.store.get('v1', 'Pod', 'dry', 'default'), undefined);
  assert.deepEqual(reviewed, [true]);
});

test('setDelay delays answers; requests still complete', async (t) => {
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  api.setDelay(300);
  // Only a lower bound: load can make an answer later, never earlier (timers may fire ~1 ms early).
  const started = performance.now();
  const list = await core.listNamespace();
  assert.ok(performance.now() - started >= 290, 'not answered before the delay');
  assert.ok(list.items.length >= 4);
});

test('HTTPS: the written kubeconfig trusts the given CA, for client-node', async (t) => {
  const ca = await createCa({ commonName: 'fake-apiserver-ca' });
  const serving = await issueKeyAndCert(ca, { commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'], usage: 'server' });
  const api = await startFakeKubeApi({ tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem } });
  const dir = await mkdtemp(join(tmpdir(), 'kube-fake-tls-'));
  t.after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  assert.match(api.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  await api.writeKubeconfig(join(dir, 'kubeconfig'));
  assert.doesNotMatch(await readFile(join(dir, 'kubeconfig'), 'utf8'), /insecure-skip-tls-verify/);
  const kc = new KubeConfig();
  kc.loadFromFile(join(dir, 'kubeconfig'));
  const version = await kc.makeApiClient(VersionApi).getCode();
  assert.equal(version.major, '1');
});

test('close() ends open watches and returns; a closed server refuses connections', async () => {
  const api = await startFakeKubeApi();
  const res = await fetch(`${api.url}/api/v1/pods?watch=true`);
  assert.equal(res.status, 200);
  const reading = res.text();
  await api.close();
  assert.equal(await reading, '');
  await assert.rejects(fetch(`${api.url}/version`));
});

// The fake API server's users and write races: bearer tokens map to users (AdmissionReview userInfo,
// SelfSubjectReview), unknown tokens get 401, and a write that raced another during admission is
// computed again from the newer object instead of overwriting it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException, AuthenticationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startFakeKubeApi, type AdmissionRequest } from '../../adapters/kube-fake/index.js';
import { selfUsername } from '../../runtime/kube/self-username.js';

const alice = { username: 'system:serviceaccount:default:alice', groups: ['system:serviceaccounts', 'system:authenticated'] };

test('each token is its own user: admission sees its userInfo, SelfSubjectReview returns it, unknown tokens get 401', async (t) => {
  const api = await startFakeKubeApi({ users: { 'alice-token': alice } });
  t.after(() => api.close());
  const seen: AdmissionRequest['userInfo'][] = [];
  api.onAdmission((req) => {
    seen.push(req.userInfo);
    return { allowed: true };
  });
  await api.kubeConfig('alice-token').makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' } } });
  await api.kubeConfig().makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'b' } } });
  assert.deepEqual(seen.map((u) => u.username), [alice.username, 'kubernetes-admin']);
  assert.equal(await selfUsername(api.kubeConfig('alice-token'), '/nonexistent'), alice.username);
  assert.equal(await selfUsername(api.kubeConfig(), '/nonexistent'), 'kubernetes-admin');
  await assert.rejects(
    api.kubeConfig('stolen').makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } }),
    (e: unknown) => e instanceof ApiException && e.code === 401,
  );
});

test('a delete that lands while a status write waits for admission is not lost', async (t) => {
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'p', finalizers: ['example.com/hold'] }, spec: { containers: [] } } });
  let raced = false;
  api.onAdmission(async (req) => {
    if (req.subResource === 'status' && !raced) {
      raced = true;
      await core.deleteNamespacedPod({ name: 'p', namespace: 'default' });
    }
    return { allowed: true };
  }, { operations: ['UPDATE'] });
  await core.patchNamespacedPodStatus({ name: 'p', namespace: 'default', body: { status: { phase: 'Running' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  const pod = await core.readNamespacedPod({ name: 'p', namespace: 'default' });
  assert.ok(pod.metadata?.deletionTimestamp, 'the deletion survived the status write');
  assert.equal(pod.status?.phase, 'Running');
});

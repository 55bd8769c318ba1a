// The fake Kubernetes API server through @kubernetes/client-node 1.4, exactly as production code calls it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ApiException, AppsV1Api, CoordinationV1Api, CoreV1Api, PatchStrategy, type V1Pod, setHeaderOptions,
} from '@kubernetes/client-node';
import { type FakeKubeApi, startFakeKubeApi } from '../../adapters/kube-fake/index.js';

let api: FakeKubeApi;
let core: CoreV1Api;
before(async () => {
  api = await startFakeKubeApi();
  core = api.kubeConfig().makeApiClient(CoreV1Api);
});
after(() => api.close());

const pod = (name: string, labels: Record<string, string> = {}, nodeName?: string): V1Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName ? { nodeName } : {}) },
});

async function statusOf(p: Promise<unknown>): Promise<{ code: number; body: { reason?: string; message?: string; kind?: string } }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiException, String(err));
    return { code: err.code, body: typeof err.body === 'string' ? JSON.parse(err.body) : err.body };
  }
  assert.fail('expected the request to fail');
}

test('pods: create sets uid, creationTimestamp, resourceVersion and the default service account; get reads it back', async () => {
  const created = await core.createNamespacedPod({ namespace: 'default', body: pod('crud-0') });
  assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.ok(created.metadata?.creationTimestamp instanceof Date);
  assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
  assert.equal(created.spec?.serviceAccountName, 'default');
  assert.equal(created.status?.phase, 'Pending');
  const read = await core.readNamespacedPod({ name: 'crud-0', namespace: 'default' });
  assert.equal(read.metadata?.uid, created.metadata?.uid);
});

test('generateName gets a random five-character suffix', async () => {
  const created = await core.createNamespacedPod({ namespace: 'default', body: { ...pod(''), metadata: { generateName: 'web-' } } });
  assert.match(created.metadata?.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('create of an existing name is 409 AlreadyExists; a missing object is 404 NotFound; a missing namespace is 404', async () => {
  await core.createNamespacedPod({ namespace: 'default', body: pod('dup') });
  const dup = await statusOf(core.createNamespacedPod({ namespace: 'default', body: pod('dup') }));
  assert.equal(dup.code, 409);
  assert.equal(dup.body.reason, 'AlreadyExists');
  const missing = await statusOf(core.readNamespacedPod({ name: 'nope', namespace: 'default' }));
  assert.deepEqual([missing.code, missing.body.reason, missing.body.message], [404, 'NotFound', 'pods "nope" not found']);
  const noNs = await statusOf(core.createNamespacedPod({ namespace: 'no-such-ns', body: pod('x') }));
  assert.deepEqual([noNs.code, noNs.body.message], [404, 'namespaces "no-such-ns" not found']);
});

test('list filters by label selector (=, !=, in, notin, exists) and field selector', async () => {
  await core.createNamespace({ body: { metadata: { name: 'sel' } } });
  await core.createNamespacedPod({ namespace: 'sel', body: pod('a', { app: 'web', tier: 'front' }, 'n1') });
  await core.createNamespacedPod({ namespace: 'sel', body: pod('b', { app: 'db' }, 'n2') });
  await core.createNamespacedPod({ namespace: 'sel', body: pod('c', {}, 'n1') });
  const names = async (labelSelector?: string, fieldSelector?: string) =>
    (await core.listNamespacedPod({ namespace: 'sel', ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) }))
      .items.map((p) => p.metadata?.name);
  assert.deepEqual(await names(), ['a', 'b', 'c']);
  assert.deepEqual(await names('app=web'), ['a']);
  assert.deepEqual(await names('app!=web'), ['b', 'c']);
  assert.deepEqual(await names('app in (web,db)'), ['a', 'b']);
  assert.deepEqual(await names('app notin (web)'), ['b', 'c']);
  assert.deepEqual(await names('tier'), ['a']);
  assert.deepEqual(await names('!app'), ['c']);
  assert.deepEqual(await names(undefined, 'spec.nodeName=n1'), ['a', 'c']);
  assert.deepEqual(await names('app', 'metadata.name!=a'), ['b']);
  const all = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=sel' });
  assert.equal(all.items.length, 3);
  assert.match(all.metadata?.resourceVersion ?? '', /^\d+$/);
});

test('list pages with limit and continue', async () => {
  await core.createNamespace({ body: { metadata: { name: 'paged' } } });
  for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) await core.createNamespacedPod({ namespace: 'paged', body: pod(n) });
  const seen: string[] = [];
  let cont: string | undefined;
  do {
    const page = await core.listNamespacedPod({ namespace: 'paged', limit: 2, ...(cont ? { _continue: cont } : {}) });
    assert.ok(page.items.length <= 2);
    seen.push(...page.items.map((p) => p.metadata?.name ?? ''));
    cont = page.metadata?._continue;
  } while (cont);
  assert.deepEqual(seen, ['p1', 'p2', 'p3', 'p4', 'p5']);
});

test('update with a stale resourceVersion is 409 Conflict; with the current one it succeeds', async () => {
  const created = await core.createNamespacedPod({ namespace: 'default', body: pod('upd') });
  const first = await core.replaceNamespacedPod({ name: 'upd', namespace: 'default', body: { ...created, metadata: { ...created.metadata, labels: { v: '1' } } } });
  assert.notEqual(first.metadata?.resourceVersion, created.metadata?.resourceVersion);
  const stale = await statusOf(core.replaceNamespacedPod({ name: 'upd', namespace: 'default', body: { ...created, metadata: { ...created.metadata, labels: { v: '2' } } } }));
  assert.deepEqual([stale.code, stale.body.reason], [409, 'Conflict']);
  assert.equal((await core.readNamespacedPod({ name: 'upd', namespace: 'default' })).metadata?.labels?.['v'], '1');
});

test('an update that changes nothing keeps the resourceVersion', async () => {
  const created = await core.createNamespacedPod({ namespace: 'default', body: pod('noop') });
  const same = await core.replaceNamespacedPod({ name: 'noop', namespace: 'default', body: created });
  assert.equal(same.metadata?.resourceVersion, created.metadata?.resourceVersion);
});

test('patch: merge patch, strategic merge patch and client-node default JSON patch', async () => {
  await core.createNamespacedPod({ namespace: 'default', body: pod('patched', { a: '1' }) });
  const merged = await core.patchNamespacedPod(
    { name: 'patched', namespace: 'default', body: { metadata: { labels: { a: null, b: '2' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  assert.deepEqual(merged.metadata?.labels, { b: '2' });
  const strategic = await core.patchNamespacedPod(
    { name: 'patched', namespace: 'default', body: { spec: { containers: [{ name: 'side', image: 'envoy' }] } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  assert.deepEqual(strategic.spec?.containers.map((c) => c.name), ['c', 'side']);
  const json = await core.patchNamespacedPod({ name: 'patched', namespace: 'default', body: [{ op: 'add', path: '/metadata/annotations', value: { x: 'y' } }] });
  assert.deepEqual(json.metadata?.annotations, { x: 'y' });
  const failed = await statusOf(core.patchNamespacedPod({ name: 'patched', namespace: 'default', body: [{ op: 'test', path: '/metadata/name', value: 'other' }] }));
  assert.equal(failed.code, 422);
});

test('status subresource: status writes change only status; main writes keep the stored status', async () => {
  const created = await core.createNamespacedPod({ namespace: 'default', body: pod('st') });
  const withIp = await core.replaceNamespacedPodStatus({
    name: 'st', namespace: 'default',
    body: { ...created, metadata: { ...created.metadata, labels: { ignored: 'yes' } }, status: { phase: 'Running', podIP: '10.0.0.7' } },
  });
  assert.equal(withIp.status?.podIP, '10.0.0.7');
  assert.equal(withIp.metadata?.labels?.['ignored'], undefined);
  const main = await core.replaceNamespacedPod({
    name: 'st', namespace: 'default', body: { ...withIp, metadata: { ...withIp.metadata, labels: { l: '1' } }, status: { phase: 'Failed' } },
  });
  assert.equal(main.status?.phase, 'Running');
  assert.equal(main.metadata?.labels?.['l'], '1');
  const patched = await core.patchNamespacedPodStatus(
    { name: 'st', namespace: 'default', body: { status: { podIP: '10.0.0.8' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  assert.equal(patched.status?.podIP, '10.0.0.8');
});

test('delete with finalizers sets deletionTimestamp and keeps the object until the finalizers are removed', async () => {
  await core.createNamespacedPod({ namespace: 'default', body: { ...pod('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } } });
  await core.deleteNamespacedPod({ name: 'fin', namespace: 'default' });
  const held = await core.readNamespacedPod({ name: 'fin', namespace: 'default' });
  assert.ok(held.metadata?.deletionTimestamp instanceof Date);
  await core.patchNamespacedPod(
    { name: 'fin', namespace: 'default', body: { metadata: { finalizers: null } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  const gone = await statusOf(core.readNamespacedPod({ name: 'fin', namespace: 'default' }));
  assert.equal(gone.code, 404);
});

test('garbage collection: deleting an owner deletes its dependents (background) and waits for them (foreground)', async () => {
  const apps = api.kubeConfig().makeApiClient(AppsV1Api);
  const rs = await apps.createNamespacedReplicaSet({
    namespace: 'default',
    body: { metadata: { name: 'rs' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } } } } },
  });
  const owned = (name: string, finalizers?: string[]) => ({
    ...pod(name),
    metadata: { name, ...(finalizers ? { finalizers } : {}), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rs.metadata!.uid! }] },
  });
  await core.createNamespacedPod({ namespace: 'default', body: owned('rs-a') });
  await core.createNamespacedPod({ namespace: 'default', body: owned('rs-b') });
  await apps.deleteNamespacedReplicaSet({ name: 'rs', namespace: 'default' });
  await api.idle();
  assert.deepEqual((await core.listNamespacedPod({ namespace: 'default' })).items.filter((p) => p.metadata?.name?.startsWith('rs-')), []);

  const fg = await apps.createNamespacedReplicaSet({ namespace: 'default', body: { metadata: { name: 'fg' }, spec: { selector: {}, template: {} } } });
  await core.createNamespacedPod({
    namespace: 'default',
    body: {
      ...pod('fg-a'),
      metadata: { name: 'fg-a', finalizers: ['example.com/hold'], ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'fg', uid: fg.metadata!.uid!, blockOwnerDeletion: true }] },
    },
  });
  await apps.deleteNamespacedReplicaSet({ name: 'fg', namespace: 'default', propagationPolicy: 'Foreground' });
  await api.idle();
  const waiting = await apps.readNamespacedReplicaSet({ name: 'fg', namespace: 'default' });
  assert.ok(waiting.metadata?.deletionTimestamp);
  assert.deepEqual(waiting.metadata?.finalizers, ['foregroundDeletion']);
  await core.patchNamespacedPod({ name: 'fg-a', namespace: 'default', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
  await api.idle();
  assert.equal((await statusOf(apps.readNamespacedReplicaSet({ name: 'fg', namespace: 'default' }))).code, 404);
});

test('garbage collection: a dependent with blockOwnerDeletion false does not hold up its owner\'s foreground deletion', async () => {
  const apps = api.kubeConfig().makeApiClient(AppsV1Api);
  const owner = await apps.createNamespacedReplicaSet({ namespace: 'default', body: { metadata: { name: 'nb' }, spec: { selector: {}, template: {} } } });
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'nb', uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: false };
  await core.createNamespacedPod({ namespace: 'default', body: { ...pod('nb-a'), metadata: { name: 'nb-a', finalizers: ['example.com/hold'], ownerReferences: [ref] } } });
  await apps.deleteNamespacedReplicaSet({ name: 'nb', namespace: 'default', propagationPolicy: 'Foreground' });
  await api.idle();
  assert.equal((await statusOf(apps.readNamespacedReplicaSet({ name: 'nb', namespace: 'default' }))).code, 404);
  // The dependent was still asked to go, and waits for its own finalizer.
  const held = await core.readNamespacedPod({ name: 'nb-a', namespace: 'default' });
  assert.ok(held.metadata?.deletionTimestamp);
  await core.patchNamespacedPod({ name: 'nb-a', namespace: 'default', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
});

test('nodes are cluster-scoped; leases (coordination.k8s.io/v1) support optimistic concurrency', async () => {
  await core.createNode({ body: { metadata: { name: 'node-1', labels: { zone: 'a' } } } });
  assert.deepEqual((await core.listNode({ labelSelector: 'zone=a' })).items.map((n) => n.metadata?.name), ['node-1']);
  await core.deleteNode({ name: 'node-1' });
  assert.equal((await core.listNode()).items.length, 0);

  const coord = api.kubeConfig().makeApiClient(CoordinationV1Api);
  const lease = await coord.createNamespacedLease({
    namespace: 'kube-system',
    body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: new Date('2026-01-01T00:00:00.123456Z') } },
  });
  const renewed = await coord.replaceNamespacedLease({ name: 'leader', namespace: 'kube-system', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'b' } } });
  assert.equal(renewed.spec?.holderIdentity, 'b');
  const lost = await statusOf(coord.replaceNamespacedLease({ name: 'leader', namespace: 'kube-system', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'c' } } }));
  assert.equal(lost.code, 409);
});

test('creates of one name at once: one wins, the others get AlreadyExists (admission yields between check and store)', async () => {
  const coord = api.kubeConfig().makeApiClient(CoordinationV1Api);
  const holders = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];
  // An admission webhook answers over the network: every create waits in admission until all have arrived.
  let arrived = 0;
  let allArrived!: () => void;
  const gate = new Promise<void>((resolve) => (allArrived = resolve));
  const remove = api.onAdmission(async () => {
    if (++arrived === holders.length) allArrived();
    await gate;
    return { allowed: true };
  }, { name: 'slow.hook', resources: ['leases'], operations: ['CREATE'] });
  const settled = await Promise.allSettled(
    holders.map((h) => coord.createNamespacedLease({ namespace: 'kube-system', body: { metadata: { name: 'raced' }, spec: { holderIdentity: h } } })),
  ).finally(remove);
  const won = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const refused = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof ApiException ? r.reason.code : String(r.reason)] : []));
  assert.equal(won.length, 1, `created ${won.length} times`);
  assert.deepEqual(refused, new Array(holders.length - 1).fill(409));
  const stored = await coord.readNamespacedLease({ name: 'raced', namespace: 'kube-system' });
  assert.equal(stored.spec?.holderIdentity, won[0]?.spec?.holderIdentity);
  await coord.deleteNamespacedLease({ name: 'raced', namespace: 'kube-system' });
});

test('request counters count writes by verb and resource', async () => {
  api.resetCounts();
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cm' }, data: { a: '1' } } });
  await core.readNamespacedConfigMap({ name: 'cm', namespace: 'default' });
  await core.deleteNamespacedConfigMap({ name: 'cm', namespace: 'default' });
  assert.deepEqual(api.requestCounts(), { 'create configmaps': 1, 'get configmaps': 1, 'delete configmaps': 1 });
  assert.equal(api.writeCount('configmaps'), 2);
});

test('admission hooks run before persisting and a denial is a Status with the hook message', async () => {
  const remove = api.onAdmission((req) => (req.object?.metadata.labels?.['deny'] ? { allowed: false, message: 'not today', code: 403 } : { allowed: true, warnings: ['looked at it'] }), { name: 'test.hook', resources: ['pods'], operations: ['CREATE'] });
  try {
    const denied = await statusOf(core.createNamespacedPod({ namespace: 'default', body: pod('denied', { deny: 'yes' }) }));
    assert.deepEqual([denied.code, denied.body.message], [403, 'admission webhook "test.hook" denied the request: not today']);
    assert.equal((await statusOf(core.readNamespacedPod({ name: 'denied', namespace: 'default' }))).code, 404);
    await core.createNamespacedPod({ namespace: 'default', body: pod('allowed') });
  } finally {
    remove();
  }
});

test('unknown paths and verbs answer a Status quickly', async () => {
  const res = await fetch(`${api.url}/apis/nope.example.com/v1/things`);
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as { kind: string }).kind, 'Status');
  const del = await fetch(`${api.url}/api/v1/namespaces/default/pods`, { method: 'DELETE' });
  assert.equal(del.status, 405);
  assert.equal(((await del.json()) as { reason: string }).reason, 'MethodNotAllowed');
});

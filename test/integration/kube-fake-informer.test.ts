// Informers (client-node makeInformer / ListWatch) and raw watches against the fake API server,
// including the fault hooks the runtime's restart logic is tested with.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CoreV1Api, type KubernetesObject, type V1Pod, Watch, makeInformer } from '@kubernetes/client-node';
import { type FakeKubeApi, startFakeKubeApi } from '../../adapters/kube-fake/index.js';
import { waitUntil } from '../fixtures/wait-until.js';

let api: FakeKubeApi;
let core: CoreV1Api;
before(async () => {
  api = await startFakeKubeApi({ bookmarkIntervalMs: 60_000 });
  core = api.kubeConfig().makeApiClient(CoreV1Api);
});
after(() => api.close());

const waitFor = (what: string, check: () => boolean) => waitUntil(what, check);

const pod = (name: string, labels: Record<string, string> = {}): V1Pod => ({
  metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

async function startInformer(namespace: string, labelSelector?: string) {
  await core.createNamespace({ body: { metadata: { name: namespace } } }).catch(() => undefined);
  const informer = makeInformer<V1Pod>(
    api.kubeConfig(), `/api/v1/namespaces/${namespace}/pods`,
    () => core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) }), labelSelector,
  );
  const log: string[] = [];
  const errors: unknown[] = [];
  /** `connect` and `error` callbacks in order: client-node calls connect right before every (re-)watch. */
  const lifecycle: string[] = [];
  informer.on('add', (p) => log.push(`add ${p.metadata?.name}`));
  informer.on('update', (p) => log.push(`update ${p.metadata?.name}`));
  informer.on('delete', (p) => log.push(`delete ${p.metadata?.name}`));
  informer.on('error', (err) => {
    errors.push(err);
    lifecycle.push('error');
  });
  informer.on('connect', () => lifecycle.push('connect'));
  await informer.start();
  return { informer, log, errors, lifecycle, connects: () => lifecycle.filter((e) => e === 'connect').length };
}

test('an informer sees add, update and delete', async (t) => {
  const { informer, log } = await startInformer('inf-basic');
  t.after(() => informer.stop());
  await core.createNamespacedPod({ namespace: 'inf-basic', body: pod('a') });
  await core.patchNamespacedPod({ name: 'a', namespace: 'inf-basic', body: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }] });
  await core.deleteNamespacedPod({ name: 'a', namespace: 'inf-basic' });
  await waitFor('three events', () => log.length === 3);
  assert.deepEqual(log, ['add a', 'update a', 'delete a']);
  assert.deepEqual(informer.list(), []);
});

test('a label-selected informer gets DELETED when an object stops matching and ADDED when it starts', async (t) => {
  const { informer, log } = await startInformer('inf-sel', 'app=web');
  t.after(() => informer.stop());
  await core.createNamespacedPod({ namespace: 'inf-sel', body: pod('p', { app: 'db' }) });
  await core.patchNamespacedPod({ name: 'p', namespace: 'inf-sel', body: [{ op: 'replace', path: '/metadata/labels/app', value: 'web' }] });
  await core.patchNamespacedPod({ name: 'p', namespace: 'inf-sel', body: [{ op: 'replace', path: '/metadata/labels/app', value: 'db' }] });
  await waitFor('two events', () => log.length === 2);
  assert.deepEqual(log, ['add p', 'delete p']);
});

test('dropWatches() (clean end): client-node re-watches from its resourceVersion and loses nothing', async (t) => {
  const { informer, log, errors, connects } = await startInformer('inf-drop');
  t.after(() => informer.stop());
  const before = connects();
  api.dropWatches();
  await core.createNamespacedPod({ namespace: 'inf-drop', body: pod('during-gap') });
  await waitFor('the add after reconnect', () => log.includes('add during-gap'));
  assert.ok(connects() > before, 'reconnected');
  assert.deepEqual(errors, []);
});

test("dropWatches('destroy'): the cut connection reaches the informer's error handler and it stops", async (t) => {
  const { informer, errors, lifecycle } = await startInformer('inf-cut');
  t.after(() => informer.stop());
  const watches = () => api.requestCounts()['watch pods'] ?? 0;
  const watchesBefore = watches();
  const seenBefore = lifecycle.length;
  api.dropWatches('destroy');
  assert.equal(api.watchCount, 0, 'the server forgets a cut stream at once');
  await waitFor('an error', () => errors.length > 0);
  // client-node ends a stream once (its done callback runs once) and decides there, synchronously, between
  // the error callbacks and a restart, which calls the connect callbacks before it sends the watch. So a
  // re-watch would already show here as a connect after the error.
  assert.deepEqual(lifecycle.slice(seenBefore), ['error'], 'no connect (re-watch) after the error');
  // And at the server: a re-watch would have been sent before this list, so (in practice) arrive first.
  await core.listNamespacedPod({ namespace: 'inf-cut' });
  assert.equal(watches(), watchesBefore, 'client-node does not re-watch after an error');
  assert.equal(api.watchCount, 0);
});

test('expireResourceVersions(): open watches get 410 Gone, client-node re-lists and sees what changed', async (t) => {
  const { informer, log, errors } = await startInformer('inf-expire');
  t.after(() => informer.stop());
  await core.createNamespacedPod({ namespace: 'inf-expire', body: pod('before') });
  await waitFor('add before', () => log.includes('add before'));
  api.resetCounts();
  api.expireResourceVersions();
  await waitFor('a re-list', () => (api.requestCounts()['list pods'] ?? 0) === 1);
  await core.createNamespacedPod({ namespace: 'inf-expire', body: pod('after') });
  await waitFor('add after', () => log.includes('add after'));
  assert.deepEqual(errors, []);
  assert.deepEqual(informer.list().map((p) => p.metadata?.name).sort(), ['after', 'before']);
});

test('a watch from an expired resourceVersion gets an ERROR event with a 410 Status', async () => {
  await core.createNamespace({ body: { metadata: { name: 'raw-gone' } } });
  const list = await core.listNamespacedPod({ namespace: 'raw-gone' });
  await core.createNamespacedPod({ namespace: 'raw-gone', body: pod('x') });
  api.expireResourceVersions();
  const events: Array<[string, KubernetesObject & { code?: number }]> = [];
  const done = new Promise<unknown>((resolve) => {
    void new Watch(api.kubeConfig()).watch('/api/v1/namespaces/raw-gone/pods', { resourceVersion: list.metadata?.resourceVersion }, (type, obj) => events.push([type, obj]), resolve);
  });
  assert.equal(await done, null, 'the stream ends after the error');
  assert.equal(events.length, 1);
  assert.equal(events[0]![0], 'ERROR');
  assert.equal(events[0]![1].code, 410);
});

test('a watch from an older resourceVersion replays history; bookmarks carry the current resourceVersion', async () => {
  await core.createNamespace({ body: { metadata: { name: 'raw-replay' } } });
  const list = await core.listNamespacedPod({ namespace: 'raw-replay' });
  await core.createNamespacedPod({ namespace: 'raw-replay', body: pod('one') });
  await core.deleteNamespacedPod({ name: 'one', namespace: 'raw-replay' });
  const events: string[] = [];
  let bookmarkRv = '';
  const req = await new Watch(api.kubeConfig()).watch(
    '/api/v1/namespaces/raw-replay/pods', { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
    (type, obj: KubernetesObject) => {
      if (type === 'BOOKMARK') bookmarkRv = obj.metadata?.resourceVersion ?? '';
      else events.push(`${type} ${obj.metadata?.name}`);
    },
    () => undefined,
  );
  try {
    await waitFor('replayed events', () => events.length === 2);
    assert.deepEqual(events, ['ADDED one', 'DELETED one']);
    api.sendBookmarks();
    await waitFor('a bookmark', () => bookmarkRv !== '');
    assert.equal(bookmarkRv, String(api.store.resourceVersion));
  } finally {
    req.abort();
  }
});

test('store seeding reaches watchers and lists without HTTP', async (t) => {
  const { informer, log } = await startInformer('inf-seed');
  t.after(() => informer.stop());
  for (let i = 0; i < 100; i++) api.store.putObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `s-${i}`, namespace: 'inf-seed' }, spec: {} });
  await waitFor('100 adds', () => log.length === 100);
  assert.equal((await core.listNamespacedPod({ namespace: 'inf-seed' })).items.length, 100);
  assert.equal(api.store.deleteObject('v1', 'Pod', 's-0', 'inf-seed'), true);
  await waitFor('a delete', () => log.includes('delete s-0'));
  assert.equal(api.store.list('v1', 'Pod', 'inf-seed').length, 99);
});

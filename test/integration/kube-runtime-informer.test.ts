// The resilient informer against the fake API server, through client-node exactly as in production:
// it follows adds, updates and deletes; a dropped watch and a 410 Gone lose nothing, including deletes
// that happened while it was disconnected; selectors filter on the server.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import * as v from 'valibot';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../adapters/kube-fake/index.js';
import { PodSchema } from '../../handlers/k8s/pod.js';
import { createInformer, projection, type ChangeKind, type RestartReason } from '../../runtime/kube/informer.js';
import { kubeListWatchSource } from '../../runtime/kube/list-watch-source.js';
import { aRawPod } from '../fixtures/k8s-objects.js';
import { waitUntil } from '../fixtures/wait-until.js';
import { manualClock } from '../fixtures/manual-clock.js';

type PodView = { name: string; app: string; node: string };
const project = projection(PodSchema, (p): PodView => ({
  name: p.metadata.name,
  app: p.metadata.labels?.app ?? '',
  node: p.spec.nodeName,
}));

const waitFor = (what: string, cond: () => boolean) => waitUntil(what, cond);

async function setup(t: TestContext, selectors: { labelSelector?: string; fieldSelector?: string } = {}) {
  const api: FakeKubeApi = await startFakeKubeApi({ bookmarkIntervalMs: 60_000 });
  t.after(() => api.close());
  const events: string[] = [];
  const restarts: RestartReason[] = [];
  const informer = createInformer<PodView>({
    source: kubeListWatchSource({ kubeConfig: api.kubeConfig(), version: 'v1', plural: 'pods', ...selectors }),
    project,
    backoff: { minMs: 20, maxMs: 200 },
    onRestart: (r) => restarts.push(r),
  });
  informer.onChange((key: string, kind: ChangeKind) => events.push(`${kind} ${key}`));
  t.after(() => informer.stop());
  const put = (name: string, labels: Record<string, string> = { app: 'web' }, nodeName = 'node-1') =>
    api.store.putObject(aRawPod({ name, namespace: 'default', labels, nodeName }) as KubeObject);
  const remove = (name: string) => api.store.deleteObject('v1', 'Pod', name, 'default');
  return { api, informer, events, restarts, put, remove };
}

test('the informer lists what exists, then follows adds, updates and deletes', async (t) => {
  const { informer, events, put, remove, api } = await setup(t);
  put('a');
  put('b');
  informer.start();
  await informer.synced();
  assert.deepEqual(informer.list().map((p) => p.name).sort(), ['a', 'b']);
  await waitFor('the watch', () => api.watchCount === 1);
  events.length = 0;
  put('c');
  put('a', { app: 'api' });
  remove('b');
  await waitFor('three events', () => events.length === 3);
  assert.deepEqual(events, ['upsert default/c', 'upsert default/a', 'delete default/b']);
  assert.deepEqual(informer.get('default/a'), { name: 'a', app: 'api', node: 'node-1' });
  assert.equal(informer.get('default/b'), undefined);
});

test('a dropped watch loses nothing, including a delete made while disconnected', async (t) => {
  for (const mode of ['end', 'destroy'] as const) {
    await t.test(`watch ${mode === 'end' ? 'closed by the server' : 'connection cut'}`, async (t) => {
      const { informer, events, put, remove, api, restarts } = await setup(t);
      put('stays');
      put('deleted');
      put('changed');
      informer.start();
      await informer.synced();
      await waitFor('the watch', () => api.watchCount === 1);
      events.length = 0;
      api.dropWatches(mode);
      // Synchronously after the drop, so the informer cannot be watching yet.
      remove('deleted');
      put('changed', { app: 'api' });
      put('added');
      await waitFor('the three missed changes', () => events.length === 3);
      assert.deepEqual(events.sort(), ['delete default/deleted', 'upsert default/added', 'upsert default/changed']);
      assert.deepEqual(informer.list().map((p) => p.name).sort(), ['added', 'changed', 'stays']);
      assert.deepEqual(restarts, [mode === 'end' ? 'watch-closed' : 'watch-error']);
      assert.equal(api.requestCounts()['list pods'], 1, 're-watched from the last resourceVersion, no re-list');
    });
  }
});

test('410 Gone re-lists and emits deletes for objects that vanished while disconnected', async (t) => {
  const { informer, events, put, remove, api, restarts } = await setup(t);
  put('stays');
  put('deleted');
  put('changed');
  informer.start();
  await informer.synced();
  await waitFor('the watch', () => api.watchCount === 1);
  events.length = 0;
  api.dropWatches('destroy');
  remove('deleted');
  put('changed', { app: 'api' });
  put('added');
  api.expireResourceVersions(); // the history the re-watch would need is gone
  await waitFor('the re-list', () => (api.requestCounts()['list pods'] ?? 0) >= 2 && events.length === 3);
  assert.deepEqual(events.sort(), ['delete default/deleted', 'upsert default/added', 'upsert default/changed']);
  assert.deepEqual(informer.list().map((p) => p.name).sort(), ['added', 'changed', 'stays']);
  assert.ok(restarts.includes('expired'), `restarts: ${restarts.join(',')}`);
  // and it keeps watching afterwards
  await waitFor('the new watch', () => api.watchCount === 1);
  remove('stays');
  await waitFor('the delete', () => informer.get('default/stays') === undefined);
});

test('an open watch told 410 by an ERROR event re-lists and carries on', async (t) => {
  const { informer, put, api, restarts } = await setup(t);
  put('a');
  informer.start();
  await informer.synced();
  await waitFor('the watch', () => api.watchCount === 1);
  api.expireResourceVersions();
  await waitFor('the re-list', () => (api.requestCounts()['list pods'] ?? 0) >= 2);
  assert.ok(restarts.includes('expired'));
  await waitFor('the new watch', () => api.watchCount === 1);
  put('b');
  await waitFor('b', () => informer.get('default/b') !== undefined);
});

test('a label selector is applied by the server, in the list and in the watch', async (t) => {
  const { informer, put, api } = await setup(t, { labelSelector: 'app=web' });
  put('web-1');
  put('db-1', { app: 'db' });
  informer.start();
  await informer.synced();
  assert.deepEqual(informer.list().map((p) => p.name), ['web-1']);
  await waitFor('the watch', () => api.watchCount === 1);
  put('db-2', { app: 'db' });
  put('web-2');
  await waitFor('web-2', () => informer.get('default/web-2') !== undefined);
  assert.equal(informer.get('default/db-2'), undefined);
  put('web-1', { app: 'db' }); // relabelled out of the selection: the server sends DELETED
  await waitFor('web-1 to leave', () => informer.get('default/web-1') === undefined);
});

test('lists are paged and still see every object', async (t) => {
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  for (let i = 0; i < 25; i++) api.store.putObject(aRawPod({ name: `p-${i}`, namespace: 'default' }) as KubeObject);
  const informer = createInformer({
    source: kubeListWatchSource({ kubeConfig: api.kubeConfig(), version: 'v1', plural: 'pods', pageSize: 10 }),
    project: (raw) => v.parse(v.looseObject({ metadata: v.looseObject({ name: v.string() }) }), raw).metadata.name,
  });
  t.after(() => informer.stop());
  informer.start();
  await informer.synced();
  assert.equal(informer.size, 25);
  assert.equal(api.requestCounts()['list pods'], 3);
});

test('a stalled watch (open, silent) is cut after the idle bound on the injected clock and re-opened; deletes made meanwhile arrive', async (t) => {
  // Bookmarks every 60 s of real time: none arrives during the test, so only the injected clock moves.
  const api = await startFakeKubeApi({ bookmarkIntervalMs: 60_000 });
  t.after(() => api.close());
  const clock = manualClock();
  const restarts: RestartReason[] = [];
  const informer = createInformer({
    source: kubeListWatchSource({ kubeConfig: api.kubeConfig(), version: 'v1', plural: 'pods' }),
    project,
    clock,
    idleWatchMs: 30_000,
    onRestart: (r) => restarts.push(r),
  });
  t.after(() => informer.stop());
  api.store.putObject(aRawPod({ name: 'a', namespace: 'default' }) as KubeObject);
  informer.start();
  await informer.synced();
  await waitFor('the watch', () => api.watchCount === 1);
  api.stallWatches();
  api.store.deleteObject('v1', 'Pod', 'a', 'default');
  await clock.advance(29_999);
  assert.equal(api.requestCounts()['watch pods'], 1, 'not cut before the bound');
  assert.ok(informer.get('default/a'), 'the stalled watch delivered nothing');
  await clock.advance(1);
  await waitFor('the delete, replayed on the new watch', () => informer.get('default/a') === undefined);
  assert.equal(api.requestCounts()['watch pods'], 2);
  assert.equal(api.requestCounts()['list pods'], 1, 're-watched from the last resourceVersion, no re-list');
  assert.deepEqual(restarts, ['watch-idle']);
});

test('the watch asks the server for bookmarks and a 5 to 10 minute timeout', async (t) => {
  const api = await startFakeKubeApi({ bookmarkIntervalMs: 60_000 });
  t.after(() => api.close());
  const informer = createInformer({
    source: kubeListWatchSource({ kubeConfig: api.kubeConfig(), version: 'v1', plural: 'pods', random: () => 0.5 }),
    project,
  });
  t.after(() => informer.stop());
  informer.start();
  await informer.synced();
  await waitFor('the watch', () => api.watchCount === 1);
  assert.deepEqual(api.lastWatchRequest(), { bookmarks: true, timeoutSeconds: 450 });
});

test('a field selector is applied by the server', async (t) => {
  const { informer, put, api } = await setup(t, { fieldSelector: 'spec.nodeName=node-1' });
  put('here', { app: 'web' }, 'node-1');
  put('elsewhere', { app: 'web' }, 'node-2');
  informer.start();
  await informer.synced();
  assert.deepEqual(informer.list().map((p) => p.name), ['here']);
  await waitFor('the watch', () => api.watchCount === 1);
  put('also-here', { app: 'web' }, 'node-1');
  put('also-elsewhere', { app: 'web' }, 'node-2');
  await waitFor('also-here', () => informer.get('default/also-here') !== undefined);
  assert.equal(informer.get('default/also-elsewhere'), undefined);
});

test('a list the server refuses is retried with backoff, and synced() waits for it', async (t) => {
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  const restarts: RestartReason[] = [];
  const lines: Array<{ msg: string; err?: { message: string } }> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const informer = createInformer({
    // No such resource on the server: every list answers 404.
    source: kubeListWatchSource({ kubeConfig: api.kubeConfig(), group: 'example.com', version: 'v1', plural: 'widgets' }),
    project: (raw) => raw,
    backoff: { minMs: 10, maxMs: 40 },
    onRestart: (r) => restarts.push(r),
    log,
  });
  t.after(() => informer.stop());
  informer.start();
  await waitFor('three failed lists', () => restarts.length >= 3);
  assert.equal(informer.hasSynced(), false);
  assert.ok(restarts.every((r) => r === 'list-error'));
  assert.equal(lines[0]?.msg, 'Informer list failed; retrying');
  // pino's error serializer appends the causes: what we were doing, then what the server said.
  assert.match(lines[0]?.err?.message ?? '', /^list widgets \(page 1\): GET \/apis\/example\.com\/v1\/widgets: HTTP 404 /);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { flush, manualClock } from '../../test/fixtures/manual-clock.js';
import { type ChangeKind, createInformer, projection, type RestartReason } from './informer.js';
import { type InformerSource, KubeApiError, type WatchEvent } from './list-watch-source.js';

// A scripted API server for one collection: tests change objects, and decide whether the change is
// delivered on the open watch (`put`/`remove`) or happens while the informer is not looking (`quietly`).
function scriptedSource() {
  const objects = new Map<string, unknown>();
  let rv = 0;
  let watcher: { onEvent: (e: WatchEvent) => void; resolve: () => void; reject: (e: unknown) => void } | undefined;
  const calls: string[] = [];
  let listFailures = 0;
  const pod = (name: string, app: string, ip = '10.0.0.1') => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', resourceVersion: String(rv), labels: { app } },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    status: { podIP: ip },
  });
  const source: InformerSource = {
    resource: 'pods',
    async list() {
      calls.push('list');
      if (listFailures > 0) {
        listFailures--;
        throw new Error('connect ECONNREFUSED');
      }
      return { items: [...objects.values()], resourceVersion: String(rv) };
    },
    watch(fromRv, onEvent, signal) {
      calls.push(`watch@${fromRv}`);
      return new Promise<void>((resolve, reject) => {
        watcher = { onEvent, resolve, reject };
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    },
  };
  const change = (name: string, make: (() => unknown) | undefined, deliver: boolean) => {
    rv++;
    const obj = make?.();
    const existed = objects.has(name);
    if (obj === undefined) objects.delete(name);
    else objects.set(name, obj);
    if (!deliver || !watcher) return;
    const sent = obj ?? { metadata: { name, namespace: 'default', resourceVersion: String(rv) } };
    watcher.onEvent({ type: obj === undefined ? 'DELETED' : existed ? 'MODIFIED' : 'ADDED', object: sent });
  };
  return {
    source,
    calls,
    failNextLists(n: number) {
      listFailures = n;
    },
    put: (name: string, app: string, ip?: string) => change(name, () => pod(name, app, ip), true),
    remove: (name: string) => change(name, undefined, true),
    quietly: {
      put: (name: string, app: string, ip?: string) => change(name, () => pod(name, app, ip), false),
      remove: (name: string) => change(name, undefined, false),
    },
    deliverRaw: (e: WatchEvent) => watcher?.onEvent(e),
    endWatch: () => watcher?.resolve(),
    failWatch: (err: unknown) => watcher?.reject(err),
    expire: () => watcher?.reject(new KubeApiError('watch pods: too old resource version', 410, 'Expired')),
  };
}

// The projection keeps two fields; the pod's image, node and resourceVersion are not kept.
const PodSlice = v.looseObject({
  metadata: v.looseObject({ name: v.string(), labels: v.optional(v.record(v.string(), v.string()), {}) }),
  status: v.optional(v.looseObject({ podIP: v.optional(v.string(), '') }), {}),
});
const project = projection(PodSlice, (p) => (p.metadata.labels.app === 'ignored' ? undefined : { name: p.metadata.name, app: p.metadata.labels.app, ip: p.status.podIP }));

type Extra = { onRestart?: (r: RestartReason) => void; idleWatchMs?: number; relistIntervalMs?: number; random?: () => number };

function started(s: ReturnType<typeof scriptedSource>, extra: Extra = {}) {
  const clock = manualClock();
  const events: string[] = [];
  const inf = createInformer({
    source: s.source,
    project,
    clock,
    backoff: { minMs: 100, maxMs: 800, jitter: 0 },
    healthyWatchMs: 5000,
    ...extra,
  });
  inf.onChange((key: string, kind: ChangeKind) => events.push(`${kind} ${key}`));
  inf.start();
  return { inf, clock, events };
}

test('lists, then watches from the list resourceVersion, and follows add, update and delete', async (t) => {
  const s = scriptedSource();
  s.quietly.put('a', 'web');
  const { inf, events } = started(s);
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  assert.deepEqual(s.calls, ['list', 'watch@1']);
  assert.deepEqual(inf.get('default/a'), { name: 'a', app: 'web', ip: '10.0.0.1' });
  s.put('b', 'db');
  s.put('a', 'api');
  s.remove('b');
  assert.deepEqual(events, ['upsert default/a', 'upsert default/b', 'upsert default/a', 'delete default/b']);
  assert.deepEqual(inf.list(), [{ name: 'a', app: 'api', ip: '10.0.0.1' }]);
  assert.equal(inf.size, 1);
});

test('the cache stores only the projection, and changes outside it raise no event', async (t) => {
  const s = scriptedSource();
  s.quietly.put('a', 'web');
  const { inf, events } = started(s);
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  events.length = 0;
  s.put('a', 'web'); // new resourceVersion, same projected fields
  assert.deepEqual(events, []);
  assert.deepEqual(Object.keys(inf.get('default/a') ?? {}).sort(), ['app', 'ip', 'name']);
});

test('an object that stops projecting is emitted as a delete, and comes back as an upsert', async (t) => {
  const s = scriptedSource();
  s.quietly.put('a', 'web');
  const { inf, events } = started(s);
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  events.length = 0;
  s.put('a', 'ignored');
  assert.equal(inf.get('default/a'), undefined);
  s.put('a', 'web');
  assert.deepEqual(events, ['delete default/a', 'upsert default/a']);
});

test('410 Gone re-lists and loses nothing, including deletes that happened while disconnected', async (t) => {
  const s = scriptedSource();
  s.quietly.put('keep', 'web');
  s.quietly.put('gone', 'web');
  s.quietly.put('changed', 'web');
  const reasons: RestartReason[] = [];
  const { inf, events, clock } = started(s, { onRestart: (r) => reasons.push(r) });
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  events.length = 0;
  // While the watch is not delivering: one deleted, one changed, one added.
  s.quietly.remove('gone');
  s.quietly.put('changed', 'api');
  s.quietly.put('new', 'web');
  s.expire();
  await clock.advance(1000);
  assert.deepEqual(events.sort(), ['delete default/gone', 'upsert default/changed', 'upsert default/new']);
  assert.deepEqual(inf.list().map((p) => p.name).sort(), ['changed', 'keep', 'new']);
  assert.deepEqual(reasons, ['expired']);
  assert.equal(s.calls.filter((c) => c === 'list').length, 2);
});

test('an unchanged object keeps its cached projection (the same object) across watch updates and re-lists', async (t) => {
  const s = scriptedSource();
  s.quietly.put('keep', 'web');
  s.quietly.put('changed', 'web');
  const { inf, clock } = started(s);
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  const keep = inf.get('default/keep');
  const changed = inf.get('default/changed');
  s.put('keep', 'web'); // new resourceVersion, same projection
  assert.equal(inf.get('default/keep'), keep);
  s.quietly.put('changed', 'api');
  s.expire();
  await clock.advance(1000);
  assert.equal(s.calls.filter((c) => c === 'list').length, 2);
  assert.equal(inf.get('default/keep'), keep);
  assert.notEqual(inf.get('default/changed'), changed);
  assert.deepEqual(inf.get('default/changed'), { name: 'changed', app: 'api', ip: '10.0.0.1' });
});

test('a watch error re-watches from the last resourceVersion seen, without re-listing', async (t) => {
  const s = scriptedSource();
  const reasons: RestartReason[] = [];
  const { inf, clock } = started(s, { onRestart: (r) => reasons.push(r) });
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  s.put('a', 'web');
  s.failWatch(new Error('socket hang up'));
  await clock.advance(1000);
  assert.deepEqual(s.calls, ['list', 'watch@0', 'watch@1']);
  assert.deepEqual(reasons, ['watch-error']);
});

test('watches that fail at once back off exponentially up to the cap; a healthy watch resets it', async (t) => {
  const s = scriptedSource();
  const { inf, clock } = started(s);
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  const t0 = clock.now();
  const watchTimes: number[] = [];
  for (let i = 0; i < 6; i++) {
    s.failWatch(new Error('connection reset'));
    const before = s.calls.length;
    while (s.calls.length === before) await clock.advance(50);
    watchTimes.push(clock.now() - t0);
  }
  // delays 100, 200, 400, 800, 800, 800 (cap), each counted from the previous failure
  assert.deepEqual(watchTimes, [100, 300, 700, 1500, 2300, 3100]);
  await clock.advance(6000); // this watch stays open past healthyWatchMs
  s.failWatch(new Error('connection reset'));
  const before = s.calls.length;
  const tFail = clock.now();
  while (s.calls.length === before) await clock.advance(50);
  assert.equal(clock.now() - tFail, 100, 'back at the minimum delay');
});

test('a watch closed by the server after a healthy run is re-opened at once', async (t) => {
  const s = scriptedSource();
  const reasons: RestartReason[] = [];
  const { inf, clock } = started(s, { onRestart: (r) => reasons.push(r) });
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  s.put('a', 'web');
  s.endWatch();
  await clock.advance(0);
  assert.deepEqual(s.calls, ['list', 'watch@0', 'watch@1']);
  assert.deepEqual(reasons, ['watch-closed']);
});

test('a failing list is retried with backoff and synced() waits for the first good list', async (t) => {
  const s = scriptedSource();
  s.quietly.put('a', 'web');
  s.failNextLists(2);
  const { inf, clock } = started(s);
  t.after(() => inf.stop());
  await flush();
  assert.equal(inf.hasSynced(), false);
  await clock.advance(100);
  assert.equal(inf.hasSynced(), false);
  await clock.advance(200);
  await inf.synced();
  assert.deepEqual(s.calls.slice(0, 3), ['list', 'list', 'list']);
  assert.equal(inf.size, 1);
});

test('stop ends the loop, and synced() rejects when stopped before syncing', async () => {
  const s = scriptedSource();
  s.failNextLists(100);
  const { inf, clock } = started(s);
  await flush();
  await inf.stop();
  await assert.rejects(inf.synced(), /stopped before it synced/);
  const n = s.calls.length;
  await clock.advance(10_000);
  assert.equal(s.calls.length, n);
});

test('a throwing listener does not stop other listeners or the informer', async (t) => {
  const s = scriptedSource();
  const { inf, events } = started(s);
  t.after(() => inf.stop());
  inf.onChange(() => {
    throw new Error('handler bug');
  });
  await inf.synced();
  await flush();
  s.put('a', 'web');
  s.put('b', 'web');
  assert.deepEqual(events, ['upsert default/a', 'upsert default/b']);
});

test('objects without a name are ignored', async (t) => {
  const s = scriptedSource();
  const { inf } = started(s);
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  s.deliverRaw({ type: 'ADDED', object: { metadata: { namespace: 'default' } } });
  s.deliverRaw({ type: 'ADDED', object: 'not an object' });
  assert.equal(inf.size, 0);
  s.put('a', 'web');
  assert.equal(inf.size, 1);
});

test('a projection that throws skips that object only', async (t) => {
  const s = scriptedSource();
  s.quietly.put('a', 'web');
  s.quietly.put('boom', 'web');
  const inf = createInformer({
    source: s.source,
    project: (raw) => {
      const p = project(raw);
      if (p?.name === 'boom') throw new Error('projection bug');
      return p;
    },
    clock: manualClock(),
  });
  t.after(() => inf.stop());
  inf.start();
  await inf.synced();
  await flush();
  s.put('b', 'web');
  assert.deepEqual(inf.list().map((p) => p.name).sort(), ['a', 'b']);
});

test('a watch that only delivers a bookmark before closing is not healthy and backs off', async (t) => {
  const s = scriptedSource();
  const { inf, clock } = started(s);
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  s.deliverRaw({ type: 'BOOKMARK', object: { metadata: { name: '', resourceVersion: '7' } } });
  s.endWatch();
  await clock.advance(50);
  assert.deepEqual(s.calls, ['list', 'watch@0'], 'not re-opened at once');
  await clock.advance(100);
  assert.deepEqual(s.calls, ['list', 'watch@0', 'watch@7'], 're-opened after the backoff, from the bookmark');
});

test('a watch silent (no event, no bookmark) for the idle bound is cut and re-opened from the last resourceVersion', async (t) => {
  const s = scriptedSource();
  const reasons: RestartReason[] = [];
  const { inf, clock } = started(s, { idleWatchMs: 30_000, onRestart: (r) => reasons.push(r) });
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  s.put('a', 'web');
  await clock.advance(29_999);
  assert.deepEqual(s.calls, ['list', 'watch@0']);
  await clock.advance(1);
  assert.deepEqual(s.calls, ['list', 'watch@0', 'watch@1'], 're-opened at once from the last resourceVersion, no re-list');
  assert.deepEqual(reasons, ['watch-idle']);
});

test('events and bookmarks keep a watch alive: the idle bound counts from the last one', async (t) => {
  const s = scriptedSource();
  const { inf, clock } = started(s, { idleWatchMs: 30_000 });
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  await clock.advance(20_000);
  s.deliverRaw({ type: 'BOOKMARK', object: { metadata: { name: '', resourceVersion: '5' } } });
  await clock.advance(20_000);
  s.put('a', 'web');
  await clock.advance(29_999);
  assert.deepEqual(s.calls, ['list', 'watch@0'], 'alive 69.999 s after it opened');
  await clock.advance(1);
  assert.deepEqual(s.calls, ['list', 'watch@0', 'watch@1']);
});

test('the collection is re-listed every relistIntervalMs (shortened by the injected jitter), emitting what the watch missed', async (t) => {
  const s = scriptedSource();
  s.quietly.put('keep', 'web');
  s.quietly.put('missed', 'web');
  const reasons: RestartReason[] = [];
  // random 0.5: the period is shortened by 5 % (half the 10 % jitter).
  const { inf, clock, events } = started(s, { relistIntervalMs: 100_000, idleWatchMs: 1_000_000, random: () => 0.5, onRestart: (r) => reasons.push(r) });
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  events.length = 0;
  s.quietly.remove('missed'); // a delete the watch never delivered
  await clock.advance(94_999);
  assert.deepEqual(s.calls, ['list', 'watch@2']);
  await clock.advance(1);
  assert.deepEqual(s.calls, ['list', 'watch@2', 'list', 'watch@3']);
  assert.deepEqual(events, ['delete default/missed']);
  assert.deepEqual(reasons, ['relist']);
  await clock.advance(95_000);
  assert.equal(s.calls.filter((c) => c === 'list').length, 3, 'and again one period later');
});

test('a re-list that falls due while a failed watch backs off happens before the next watch', async (t) => {
  const s = scriptedSource();
  const { inf, clock } = started(s, { relistIntervalMs: 1_000, idleWatchMs: 1_000_000, random: () => 0 });
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  await clock.advance(950);
  s.failWatch(new Error('connection reset')); // backoff 100 ms: past the re-list time
  await clock.advance(100);
  assert.deepEqual(s.calls, ['list', 'watch@0', 'list', 'watch@0']);
});

test('a bookmark (an object with only a resourceVersion, as the API server sends it) moves the resume point on', async (t) => {
  const s = scriptedSource();
  const { inf, clock } = started(s);
  t.after(() => inf.stop());
  await inf.synced();
  await flush();
  s.put('a', 'web');
  s.deliverRaw({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '42' } } });
  await clock.advance(6000); // healthy: re-opened at once
  s.endWatch();
  await clock.advance(0);
  assert.deepEqual(s.calls, ['list', 'watch@0', 'watch@42']);
  assert.equal(inf.size, 1);
});

test('a listing delivered page by page is projected as each page arrives; a re-list by pages still emits only the differences', async (t) => {
  const raw = (name: string, app: string) => ({ metadata: { name, namespace: 'default', resourceVersion: '1', labels: { app } } });
  const projected: string[] = [];
  let pages: unknown[][] = [[raw('a', 'web'), raw('b', 'db')], [raw('c', 'web')]];
  let last: unknown[] = [raw('d', 'api')];
  const source: InformerSource = {
    resource: 'pods',
    async list(_signal, onPage) {
      assert.ok(onPage, 'the informer asks for pages');
      for (const page of pages) {
        const before = projected.length;
        onPage(page);
        assert.equal(projected.length, before + page.length, 'each page is projected when handed over');
      }
      return { items: last, resourceVersion: '1' };
    },
    watch: (_rv, _onEvent, signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
  };
  const clock = manualClock();
  const inf = createInformer({
    source,
    project: (r) => {
      const p = project(r);
      if (p) projected.push(p.name);
      return p;
    },
    clock,
    relistIntervalMs: 1000,
    random: () => 0,
  });
  const events: string[] = [];
  inf.onChange((key, kind) => events.push(`${kind} ${key}`));
  t.after(() => inf.stop());
  inf.start();
  await inf.synced();
  assert.deepEqual(inf.list().map((p) => p.name).sort(), ['a', 'b', 'c', 'd']);
  assert.deepEqual(events.sort(), ['upsert default/a', 'upsert default/b', 'upsert default/c', 'upsert default/d']);
  events.length = 0;
  pages = [[raw('a', 'web')], [raw('c', 'changed')]];
  last = [];
  const relisted = new Promise<void>((resolve) => inf.onChange(() => resolve()));
  await clock.advance(1000);
  await relisted;
  await flush();
  assert.deepEqual(events.sort(), ['delete default/b', 'delete default/d', 'upsert default/c']);
  assert.deepEqual(inf.list().map((p) => p.name).sort(), ['a', 'c']);
});

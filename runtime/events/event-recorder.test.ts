// The recorder against the fake sink on a manual clock: events asserted by reason and count, the
// de-duplication into a series, coalescing of repeats, the rate limit's drops, and recovery of a series
// whose Event expired.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { entryChangedEvent, podNoIdentityEvent, spiffeIdRef } from '../../handlers/events/registrar-event.js';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { manualClock } from '../../test/fixtures/manual-clock.js';
import { createEventRecorder, microTime } from './event-recorder.js';
import { fakeEventSink } from './event-sink.fake.js';

const log = pino({ level: 'silent' });
const pod = (n: number) => aPod({ name: `web-${n}`, namespace: 'spire', uid: `u-${n}`, labels: { 'spire-workload': 'a//b' } });
const bad = (n: number) => podNoIdentityEvent(pod(n), 'label "spire-workload" value "a//b" does not make a valid SPIFFE ID');

function setup(opts: { burst?: number; perSecond?: number; maxSeries?: number } = {}) {
  const clock = manualClock();
  const sink = fakeEventSink();
  let dropped = 0;
  const recorder = createEventRecorder({ sink, clock, log, instance: 'spire-server-0', onDropped: () => dropped++, ...opts });
  const summary = () =>
    [...sink.events.values()].map((e) => ({ object: `${e.regarding.kind}/${e.regarding.name}`, type: e.type, reason: e.reason, count: e.series?.count ?? 1 }));
  return { clock, sink, recorder, summary, dropped: () => dropped };
}

test('an event is written as an events.k8s.io/v1 Event with the reporting controller and instance', async () => {
  const { sink, recorder, clock } = setup();
  const ref = spiffeIdRef({ namespace: 'default', name: 'my-test-spiffeid', uid: 's-1' });
  recorder.record(entryChangedEvent('created', ref, 'e-1'));
  await recorder.idle();
  const [e] = [...sink.events.values()];
  assert.deepEqual({ ...e, metadata: { namespace: e?.metadata.namespace } }, {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { namespace: 'default' },
    eventTime: microTime(clock.now()),
    reportingController: 'k8s-workload-registrar',
    reportingInstance: 'spire-server-0',
    action: 'CreateEntry',
    reason: 'EntryCreated',
    regarding: { apiVersion: 'spiffeid.spiffe.io/v1beta1', kind: 'SpiffeID', namespace: 'default', name: 'my-test-spiffeid', uid: 's-1' },
    note: 'Created SPIRE entry e-1',
    type: 'Normal',
  });
  assert.match(e?.metadata.name ?? '', /^my-test-spiffeid\.[0-9a-f]+$/);
  assert.match(microTime(0), /^1970-01-01T00:00:00\.000000Z$/);
});

test('a repeated event bumps the series count of one Event instead of creating another', async () => {
  const { sink, recorder, clock, summary } = setup();
  recorder.record(bad(1));
  await recorder.idle();
  await clock.advance(10_000);
  recorder.record(bad(1));
  await recorder.idle();
  await clock.advance(10_000);
  recorder.record(bad(1));
  await recorder.idle();
  assert.deepEqual(summary(), [{ object: 'Pod/web-1', type: 'Warning', reason: 'InvalidSpiffeID', count: 3 }]);
  assert.deepEqual(sink.writes.map((w) => w.verb), ['create', 'patch', 'patch']);
  const [e] = [...sink.events.values()];
  assert.equal(e?.series?.lastObservedTime, microTime(clock.now()));
});

test('another object, reason or note is another Event; after the series window a repeat starts a new Event', async () => {
  const { recorder, clock, summary } = setup();
  recorder.record(bad(1));
  recorder.record(bad(2));
  recorder.record(podNoIdentityEvent(pod(1), 'another reason'));
  await recorder.idle();
  await clock.advance(6 * 60_000);
  recorder.record(bad(1));
  await recorder.idle();
  assert.deepEqual(summary().map((s) => `${s.object} ${s.count}`).sort(), ['Pod/web-1 1', 'Pod/web-1 1', 'Pod/web-1 1', 'Pod/web-2 1']);
});

test('repeats that arrive while a write is pending coalesce: 1000 repeats cost 2 writes and count 1000', async () => {
  const { sink, recorder, summary } = setup();
  for (let i = 0; i < 1000; i++) recorder.record(bad(1));
  await recorder.idle();
  assert.deepEqual(summary(), [{ object: 'Pod/web-1', type: 'Warning', reason: 'InvalidSpiffeID', count: 1000 }]);
  assert.deepEqual(sink.writes.map((w) => w.verb), ['create', 'patch']);
});

test('rate limit: a flood of pods writes the burst, drops the rest with a count, and writes again as tokens refill', async () => {
  const { sink, recorder, clock, dropped } = setup({ burst: 5, perSecond: 1 });
  for (let i = 0; i < 100; i++) recorder.record(bad(i));
  await recorder.idle();
  assert.equal(sink.writes.length, 5);
  assert.equal(dropped(), 95);
  await clock.advance(2_000);
  recorder.record(bad(100));
  recorder.record(bad(101));
  recorder.record(bad(102));
  await recorder.idle();
  assert.equal(sink.writes.length, 7, 'two tokens refilled in two seconds');
  assert.equal(dropped(), 96);
});

test('a series whose create was dropped is created by its next occurrence, with the count so far', async () => {
  const { sink, recorder, clock, summary } = setup({ burst: 1, perSecond: 1 });
  recorder.record(bad(0));
  recorder.record(bad(1)); // dropped: the burst of 1 is used
  await recorder.idle();
  await clock.advance(1_000);
  recorder.record(bad(1));
  await recorder.idle();
  assert.deepEqual(summary().map((s) => `${s.object} ${s.count}`).sort(), ['Pod/web-0 1', 'Pod/web-1 2']);
  assert.deepEqual(sink.writes.map((w) => w.verb), ['create', 'create']);
});

test('beyond maxSeries the least recently seen series is forgotten: a waiting one is dropped and counted, a written one repeats as a new Event', async () => {
  const { sink, recorder, clock, summary, dropped } = setup({ maxSeries: 2 });
  recorder.record(bad(0)); // written at once
  recorder.record(bad(1)); // waits behind it
  recorder.record(bad(2)); // forgets bad(0)'s series (written)
  recorder.record(bad(3)); // forgets bad(1)'s (waiting: dropped)
  await recorder.idle();
  assert.equal(dropped(), 1);
  assert.deepEqual(summary().map((s) => s.object).sort(), ['Pod/web-0', 'Pod/web-2', 'Pod/web-3']);
  await clock.advance(1_000);
  recorder.record(bad(3)); // remembered: patched
  recorder.record(bad(0)); // forgotten: a new Event
  await recorder.idle();
  assert.deepEqual(sink.writes.map((w) => w.verb), ['create', 'create', 'create', 'patch', 'create']);
  assert.deepEqual(summary().map((s) => `${s.object} ${s.count}`).sort(), ['Pod/web-0 1', 'Pod/web-0 1', 'Pod/web-2 1', 'Pod/web-3 2']);
});

test('a series whose Event expired in the API server continues on a new Event; write errors are not thrown', async () => {
  const { sink, recorder, clock, summary } = setup();
  recorder.record(bad(1));
  await recorder.idle();
  sink.events.clear();
  await clock.advance(1_000);
  recorder.record(bad(1));
  await recorder.idle();
  assert.deepEqual(summary(), [{ object: 'Pod/web-1', type: 'Warning', reason: 'InvalidSpiffeID', count: 2 }]);
  sink.failWith(new Error('API server down'));
  await clock.advance(1_000);
  recorder.record(bad(1));
  await recorder.idle();
  assert.equal(summary()[0]?.count, 2, 'unchanged, and no rejection');
});

test('after stop nothing more is written and what was pending is dropped', async () => {
  const { sink, recorder } = setup();
  recorder.record(bad(1));
  recorder.record(bad(2)); // pending behind the first write
  recorder.stop();
  recorder.record(bad(3));
  await recorder.idle();
  assert.deepEqual(sink.writes.map((w) => w.name.split('.')[0]), ['web-1']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { KubeConfig } from '../../adapters/client-node.js';
import { podNoIdentityEvent } from '../../handlers/events/registrar-event.js';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { manualClock } from '../../test/fixtures/manual-clock.js';
import { createMetrics } from '../observability/metrics.js';
import { fakeEventSink } from './event-sink.fake.js';
import { kubeEventRecorder } from './kube-event-recorder.js';
import { reportingInstance } from './reporting-instance.js';

test('the modes\' recorder writes to the given sink as this pod and counts every drop in events_dropped_total', async () => {
  const sink = fakeEventSink();
  const metrics = createMetrics();
  const recorder = kubeEventRecorder({ kubeConfig: new KubeConfig(), sink, clock: manualClock(), log: pino({ level: 'silent' }), metrics });
  for (let i = 0; i < 30; i++) recorder.record(podNoIdentityEvent(aPod({ name: `p-${i}`, uid: `u-${i}` }), 'no'));
  await recorder.idle();
  assert.equal(sink.events.size, 25, 'the burst');
  assert.equal((await metrics.eventsDropped.get()).values[0]?.value, 5);
  assert.deepEqual(new Set([...sink.events.values()].map((e) => e.reportingInstance)), new Set([reportingInstance()]));
  recorder.stop();
});

// The event recorder reconcile and crd modes run: Events written through the API server (or the sink a
// test passes), this pod as the reporting instance, and every event the rate limit drops counted.
import type { Logger } from 'pino';
import type { KubeConfig } from '../../adapters/client-node.js';
import type { Clock } from '../clock.js';
import type { RegistrarMetrics } from '../observability/metrics.js';
import { createEventRecorder, type EventRecorder } from './event-recorder.js';
import type { EventSink } from './event-sink.js';
import { kubeEventSink } from './event-sink.kube.js';
import { reportingInstance } from './reporting-instance.js';

export type KubeEventRecorderOptions = {
  readonly kubeConfig: KubeConfig;
  /** Replaces the client-node sink (tests). */
  readonly sink?: EventSink | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Pick<RegistrarMetrics, 'eventsDropped'>;
};

export function kubeEventRecorder(o: KubeEventRecorderOptions): EventRecorder {
  return createEventRecorder({
    sink: o.sink ?? kubeEventSink(o.kubeConfig),
    clock: o.clock,
    log: o.log,
    instance: reportingInstance(),
    onDropped: () => o.metrics.eventsDropped.inc(),
  });
}

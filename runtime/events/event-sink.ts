// Where recorded events go: events.k8s.io/v1 Event objects, created once and then patched with a series.
// Implementations: event-sink.kube.ts (client-node EventsV1Api) and event-sink.fake.ts (in memory, tests).
// RBAC: exactly create and patch on events.k8s.io events.

export const EVENTS_API_VERSION = 'events.k8s.io/v1';

export type EventSeries = { readonly count: number; readonly lastObservedTime: string };

/** The events.k8s.io/v1 Event fields the registrar writes. */
export type EventObject = {
  readonly apiVersion: typeof EVENTS_API_VERSION;
  readonly kind: 'Event';
  readonly metadata: { readonly name: string; readonly namespace: string };
  /** MicroTime: RFC 3339 with microseconds. */
  readonly eventTime: string;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly action: string;
  readonly reason: string;
  readonly regarding: { readonly apiVersion: string; readonly kind: string; readonly namespace: string; readonly name: string; readonly uid: string };
  readonly note: string;
  readonly type: 'Normal' | 'Warning';
  readonly series?: EventSeries;
};

export interface EventSink {
  create(event: EventObject): Promise<void>;
  /** 'gone' when the Event no longer exists (the API server expires events after an hour by default). */
  patchSeries(namespace: string, name: string, series: EventSeries): Promise<'ok' | 'gone'>;
}

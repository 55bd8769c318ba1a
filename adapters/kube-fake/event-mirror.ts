// One Event, two APIs: a real API server stores events once and serves them as events.k8s.io/v1 and as
// core v1 (which `kubectl get events` and `kubectl describe` read, with field selectors on
// involvedObject.*). The fake keeps the events.k8s.io objects as written and mirrors each into the core
// store converted as the API server converts it (k8s.io/kubernetes pkg/apis/events/v1 conversion), so
// list, get, watch, field selectors and the table printer all work on the core view unchanged.
import type { ObjectStore, StoreEvent } from './store.js';
import type { KubeObject } from './types.js';
import { resourceKey } from './types.js';

export const EVENTS_V1_KEY = resourceKey('events.k8s.io', 'events');
const CORE_KEY = resourceKey('', 'events');

export function mirrorEvents(store: ObjectStore): () => void {
  return store.subscribe((e: StoreEvent) => {
    if (e.resource !== EVENTS_V1_KEY) return;
    const { namespace = '', name = '' } = e.obj.metadata;
    if (e.type === 'DELETED') store.remove(CORE_KEY, namespace, name);
    else store.put(CORE_KEY, coreEvent(e.obj));
  });
}

/** events.k8s.io/v1 -> core v1: regarding -> involvedObject, note -> message, the series count -> count. */
export function coreEvent(ev: KubeObject): KubeObject {
  const series = ev['series'] as { count?: number; lastObservedTime?: string } | undefined;
  const { resourceVersion: _rv, ...metadata } = ev.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata,
    involvedObject: ev['regarding'] ?? {},
    ...(ev['related'] ? { related: ev['related'] } : {}),
    reason: ev['reason'],
    message: ev['note'] ?? '',
    type: ev['type'],
    action: ev['action'],
    eventTime: ev['eventTime'],
    reportingComponent: ev['reportingController'],
    reportingInstance: ev['reportingInstance'],
    source: (ev['deprecatedSource'] as object | undefined) ?? {},
    firstTimestamp: ev['deprecatedFirstTimestamp'] ?? null,
    lastTimestamp: ev['deprecatedLastTimestamp'] ?? null,
    count: (ev['deprecatedCount'] as number | undefined) ?? 0,
    ...(series ? { series: { count: series.count, lastObservedTime: series.lastObservedTime } } : {}),
  };
}

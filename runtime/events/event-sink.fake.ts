// An in-memory EventSink for unit tests: the Event objects as the API server would hold them, and every
// write in order, so a test can assert both the final events (reason, count) and how many writes it took.
import type { EventObject, EventSeries, EventSink } from './event-sink.js';

export type FakeEventSink = EventSink & {
  readonly events: Map<string, EventObject>;
  readonly writes: { readonly verb: 'create' | 'patch'; readonly name: string }[];
  /** Makes the next writes fail with this error (until cleared with undefined). */
  failWith(err: Error | undefined): void;
};

export function fakeEventSink(): FakeEventSink {
  const events = new Map<string, EventObject>();
  const writes: FakeEventSink['writes'] = [];
  let failure: Error | undefined;
  const key = (namespace: string, name: string) => `${namespace}/${name}`;
  return {
    events,
    writes,
    failWith: (err) => void (failure = err),
    async create(event) {
      writes.push({ verb: 'create', name: event.metadata.name });
      if (failure) throw failure;
      events.set(key(event.metadata.namespace, event.metadata.name), event);
    },
    async patchSeries(namespace: string, name: string, series: EventSeries) {
      writes.push({ verb: 'patch', name });
      if (failure) throw failure;
      const current = events.get(key(namespace, name));
      if (!current) return 'gone';
      events.set(key(namespace, name), { ...current, series });
      return 'ok';
    },
  };
}

// Records the events the handlers decide on (handlers/events/) as events.k8s.io/v1 Events, the way
// controller-runtime's recorder (client-go tools/events) does: reporting controller and instance set, a
// repeated event (same object, type, reason, note) becomes a series on one Event instead of a new object,
// and writes go out one at a time in the background so recording never blocks a pass. Two additions:
// writes are rate limited by a token bucket (a flood of invalid pods cannot flood the API server; what does
// not fit is dropped and counted), and occurrences that arrive while a write is pending coalesce into the
// next write of that series (1000 repeats cost at most one patch at a time).
import type { Logger } from 'pino';
import { eventKey, type RegistrarEvent } from '../../handlers/events/registrar-event.js';
import { observeEvent, seriesFinished, SERIES_WINDOW_MS, type SeriesState } from '../../handlers/events/event-series.js';
import type { Clock } from '../clock.js';
import { EVENTS_API_VERSION, type EventObject, type EventSink } from './event-sink.js';
import { tokenBucket } from './token-bucket.js';

export const REPORTING_CONTROLLER = 'k8s-workload-registrar';

export type EventRecorderOptions = {
  readonly sink: EventSink;
  readonly clock: Clock;
  readonly log: Logger;
  /** The registrar's pod name (reportingInstance). */
  readonly instance: string;
  /** Called once per event dropped by the rate limit. */
  readonly onDropped?: () => void;
  /** Writes at once; default 25 (client-go's spam filter burst). */
  readonly burst?: number;
  /** Sustained writes per second; default 1. */
  readonly perSecond?: number;
  /** Series remembered at most (the least recently seen are forgotten first); default MAX_SERIES. */
  readonly maxSeries?: number;
};

/**
 * client-go's EventCorrelator remembers at most 4096 series (an LRU). Without a bound every distinct event
 * stays for the 6-minute series window, even one the rate limit dropped: a crd cold start at 10,000 pods
 * records 10,500 EntryCreated events (~6 MB held), churn at 400 entry writes a second ~140,000.
 */
export const MAX_SERIES = 4096;

export type EventRecorder = {
  record(event: RegistrarEvent): void;
  /** Resolves when no write is pending (tests). */
  idle(): Promise<void>;
  /**
   * Shutdown: records nothing more and forgets what is pending; a write in flight finishes on its own.
   * Events are best effort, and waiting here could hold up shutdown behind an unreachable API server
   * (client-go's broadcaster drops its queue on Shutdown too).
   */
  stop(): void;
};

type Cached = { state: SeriesState; event: RegistrarEvent };

export function createEventRecorder(opts: EventRecorderOptions): EventRecorder {
  const { sink, clock, log } = opts;
  const bucket = tokenBucket({ burst: opts.burst ?? 25, perSecond: opts.perSecond ?? 1, clock });
  const cache = new Map<string, Cached>();
  const pending = new Set<string>();
  let seq = 0;
  let lastPrune = clock.now();
  let running = false;
  let done: Promise<void> = Promise.resolve();
  let stopped = false;

  const maxSeries = opts.maxSeries ?? MAX_SERIES;
  const prune = (now: number) => {
    if (now - lastPrune < SERIES_WINDOW_MS) return;
    lastPrune = now;
    for (const [k, c] of cache) if (!pending.has(k) && seriesFinished(c.state, now)) cache.delete(k);
  };
  /**
   * Forgets the least recently seen series beyond the bound. One still waiting for its write is dropped
   * and counted as the rate limit's drops are: more than maxSeries distinct events waiting means the
   * token bucket would drop nearly all of them anyway.
   */
  const evict = () => {
    if (cache.size <= maxSeries) return;
    for (const k of cache.keys()) {
      if (cache.size <= maxSeries) return;
      cache.delete(k);
      if (pending.delete(k)) opts.onDropped?.();
    }
  };

  /** client-go names an Event `<object name>.<timestamp in hex>`; the sequence keeps names unique per ms. */
  const newName = (e: RegistrarEvent, now: number) => `${e.regarding.name}.${(now * 1000 + (seq++ % 1000)).toString(16)}`;

  const write = async (key: string) => {
    const c = cache.get(key);
    if (!c) return;
    if (!bucket.take()) {
      opts.onDropped?.();
      log.debug({ reason: c.event.reason, object: `${c.event.regarding.namespace}/${c.event.regarding.name}` }, 'Event dropped by the rate limit');
      return;
    }
    const { event } = c;
    let state = c.state;
    const series = state.count > 1 ? { count: state.count, lastObservedTime: microTime(state.lastMs) } : undefined;
    try {
      if (state.written && series) {
        if ((await sink.patchSeries(event.regarding.namespace, state.name, series)) === 'ok') return;
        // Expired in the API server: continue the series on a new object.
        state = { ...state, name: newName(event, clock.now()), written: false };
        c.state = { ...c.state, name: state.name, written: false };
      }
      await sink.create(eventObject(event, state, opts.instance, series));
      // Occurrences recorded meanwhile changed c.state (count); they are pending and patch this object.
      if (c.state.name === state.name) c.state = { ...c.state, written: true };
    } catch (err) {
      log.warn({ err, reason: event.reason, object: `${event.regarding.namespace}/${event.regarding.name}` }, 'Failed to record event');
    }
  };

  /** One writer at a time; `running` is cleared with no await after the last check of `pending`. */
  const kick = () => {
    if (running) return;
    running = true;
    done = (async () => {
      try {
        for (let key = first(pending); key !== undefined; key = first(pending)) {
          pending.delete(key);
          await write(key);
        }
      } finally {
        running = false;
      }
    })();
  };

  return {
    record(event) {
      if (stopped) return;
      const now = clock.now();
      prune(now);
      const key = eventKey(event);
      const prev = cache.get(key);
      const next = observeEvent(prev?.state, now, newName(event, now));
      // Updated in place: a write in flight for this series sees the new count when it completes. Moved to
      // the end of the map, which is the eviction order.
      if (prev) {
        prev.state = next;
        cache.delete(key);
        cache.set(key, prev);
      } else cache.set(key, { state: next, event });
      pending.add(key);
      evict();
      kick();
    },
    async idle() {
      while (running) await done;
    },
    stop() {
      stopped = true;
      pending.clear();
    },
  };
}

function first(set: ReadonlySet<string>): string | undefined {
  for (const k of set) return k;
  return undefined;
}

function eventObject(e: RegistrarEvent, s: SeriesState, instance: string, series: EventObject['series']): EventObject {
  return {
    apiVersion: EVENTS_API_VERSION,
    kind: 'Event',
    // An event lives in its object's namespace (cluster-scoped objects: default), as kubectl looks there.
    metadata: { name: s.name, namespace: e.regarding.namespace || 'default' },
    eventTime: microTime(s.firstMs),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: instance,
    action: e.action,
    reason: e.reason,
    regarding: { ...e.regarding },
    note: truncateNote(e.note),
    type: e.type,
    ...(series ? { series } : {}),
  };
}

/** metav1.MicroTime's wire form: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** events.k8s.io/v1 refuses notes over 1 kB. */
function truncateNote(note: string): string {
  return note.length <= 1024 ? note : `${note.slice(0, 1021)}...`;
}

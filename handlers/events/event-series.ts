// De-duplication as client-go's events.k8s.io recorder does it (tools/events): the first occurrence of an
// event is created; one seen again within the series window becomes a series on that same object (count,
// lastObservedTime) instead of a new Event, so a repeating problem is one line with "x N" in kubectl.
// Pure: the recorder passes its cached state, the time and a name for a new object.

/** client-go closes a series when it was not seen for 6 minutes (finishTime). */
export const SERIES_WINDOW_MS = 6 * 60 * 1000;

export type SeriesState = {
  /** metadata.name of the Event object this series is written to. */
  readonly name: string;
  readonly count: number;
  readonly firstMs: number;
  readonly lastMs: number;
  /** True once the Event object exists in the API server. */
  readonly written: boolean;
};

/**
 * The series after one more occurrence. The recorder writes it as a create while `written` is false (also
 * when an earlier create was dropped: the object then starts with the count so far), else as a patch.
 */
export function observeEvent(prev: SeriesState | undefined, nowMs: number, newName: string, windowMs = SERIES_WINDOW_MS): SeriesState {
  if (prev && nowMs - prev.lastMs < windowMs) return { ...prev, count: prev.count + 1, lastMs: nowMs };
  return { name: newName, count: 1, firstMs: nowMs, lastMs: nowMs, written: false };
}

/** True when the series can be forgotten: nothing more would be added to it. */
export function seriesFinished(s: SeriesState, nowMs: number, windowMs = SERIES_WINDOW_MS): boolean {
  return nowMs - s.lastMs >= windowMs;
}

// When an open watch is to be given up although the server has not ended it. A watch whose connection
// stays open while nothing arrives (a frozen proxy, a half-open TCP connection, a stuck API server) looks
// exactly like a quiet collection, and would hide every delete until the server-side timeout, 5 – 10
// minutes later. With allowWatchBookmarks the API server sends a BOOKMARK about once a minute (Kubernetes
// 1.27+, the watch cache's bookmark frequency) even when nothing changes, so silence for longer than
// `idleMs` means the stream is dead: it is cut and re-opened from the last resourceVersion seen, which
// replays what happened meanwhile. The same cut ends a watch when the periodic re-list is due.
import type { Clock, TimerHandle } from '../clock.js';

export type WatchCut = 'idle' | 'relist';

export interface WatchLiveness {
  /** Aborts when the informer stops or the watch is cut; pass it to the watch. */
  readonly signal: AbortSignal;
  /** Call for every event and bookmark: the stream is alive. */
  seen(): void;
  /** Why the watch was cut, if it was. */
  cut(): WatchCut | undefined;
  /** Cancels the timers; call when the watch has settled. */
  dispose(): void;
}

export type WatchLivenessOptions = {
  readonly clock: Clock;
  /** Longest silence (no event, no bookmark) a live watch may have. */
  readonly idleMs: number;
  /** Clock time at which the periodic re-list is due. */
  readonly relistAt: number;
  /** The informer's own stop signal. */
  readonly stop: AbortSignal;
};

export function watchLiveness(opts: WatchLivenessOptions): WatchLiveness {
  const { clock, idleMs } = opts;
  const controller = new AbortController();
  let reason: WatchCut | undefined;
  let lastSeen = clock.now();
  let idleTimer: TimerHandle | undefined;
  const cut = (why: WatchCut) => {
    reason ??= why;
    controller.abort();
  };
  const onStop = () => controller.abort();
  opts.stop.addEventListener('abort', onStop, { once: true });
  if (opts.stop.aborted) controller.abort();

  // One timer at a time, re-armed for the remaining silence rather than on every event, so a busy watch
  // costs a clock read per event and nothing more.
  const armIdle = (ms: number) => {
    idleTimer = clock.setTimer(ms, () => {
      const silentFor = clock.now() - lastSeen;
      if (silentFor >= idleMs) cut('idle');
      else armIdle(idleMs - silentFor);
    });
  };
  armIdle(idleMs);
  const relistTimer = clock.setTimer(opts.relistAt - clock.now(), () => cut('relist'));

  return {
    signal: controller.signal,
    seen() {
      lastSeen = clock.now();
    },
    cut: () => reason,
    dispose() {
      idleTimer?.cancel();
      relistTimer.cancel();
      opts.stop.removeEventListener('abort', onStop);
    },
  };
}

// Single-flight, coalescing trigger for a full reconcile pass (STYLE.md 2.3; Trigger() in
// spire-controller-manager pkg/reconciler): any number of fire() calls while a pass runs lead to exactly
// one more pass. A pass also runs every `resyncIntervalMs` after the previous one ended (catches
// anything an event missed), and a pass that fails is retried with capped exponential backoff, never
// later than the resync interval: after an outage of minutes the backoff has grown large, and recovery
// must still come within one resync of the fault ending.
import { type BackoffOptions, createBackoff } from './backoff.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';

export type TriggerOptions = {
  /** One full pass. A rejection schedules a retry with backoff. */
  readonly runPass: () => Promise<void>;
  /** Period of the resync pass; 0 or undefined disables it. */
  readonly resyncIntervalMs?: number;
  /** Retry delays after failed passes; default 1 s doubling to 30 s, capped by `resyncIntervalMs`. */
  readonly backoff?: BackoffOptions;
  /** Told about a failed pass and when it will be retried. */
  readonly onError?: (err: unknown, retryInMs: number) => void;
  readonly clock?: Clock;
};

export interface Trigger {
  /** Asks for a pass; coalesces with any pass already asked for. Ignored once stopped. */
  fire(): void;
  /** Asks for a pass `ms` from now, unless another pass runs first (which then sets the next timer). */
  fireIn(ms: number): void;
  /** Resolves when no pass runs or is pending (a scheduled resync or retry does not count). */
  idle(): Promise<void>;
  /** Cancels the resync and retry timers, refuses new passes, and waits for a running pass to end. */
  stop(): Promise<void>;
  /** Passes started so far. */
  readonly passes: number;
}

export function createTrigger(opts: TriggerOptions): Trigger {
  const clock = opts.clock ?? systemClock;
  const backoff = createBackoff(retryBackoff(opts.backoff ?? { minMs: 1000, maxMs: 30_000 }, opts.resyncIntervalMs));
  let running = false;
  let dirty = false;
  let stopped = false;
  let passes = 0;
  let timer: TimerHandle | undefined;
  let idleWaiters: Array<() => void> = [];

  const schedule = (ms: number) => {
    timer?.cancel();
    timer = stopped ? undefined : clock.setTimer(ms, fire);
  };

  const loop = async () => {
    running = true;
    try {
      while (dirty && !stopped) {
        dirty = false;
        timer?.cancel();
        timer = undefined;
        passes++;
        try {
          await opts.runPass();
          backoff.reset();
          if (opts.resyncIntervalMs) schedule(opts.resyncIntervalMs);
        } catch (err) {
          const retryIn = backoff.next();
          opts.onError?.(err, retryIn);
          schedule(retryIn);
        }
      }
    } finally {
      running = false;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  function fire() {
    if (stopped) return;
    dirty = true;
    if (!running) void loop();
  }

  const idle = () =>
    new Promise<void>((resolve) => {
      if (!running) resolve();
      else idleWaiters.push(resolve);
    });

  return {
    fire,
    fireIn: (ms: number) => schedule(ms),
    idle,
    async stop() {
      stopped = true;
      timer?.cancel();
      timer = undefined;
      await idle();
    },
    get passes() {
      return passes;
    },
  };
}

/** `backoff` with its delays capped by the resync interval (when there is one). */
export function retryBackoff(backoff: BackoffOptions, resyncIntervalMs: number | undefined): BackoffOptions {
  if (!resyncIntervalMs) return backoff;
  const maxMs = Math.min(backoff.maxMs, resyncIntervalMs);
  return { ...backoff, maxMs, minMs: Math.min(backoff.minMs, maxMs) };
}

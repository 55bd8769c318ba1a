// A keyed work queue in the manner of client-go's rate-limited workqueue (what controller-runtime gives
// the original registrar's reconcile-mode controllers): a key queued twice runs once, at most
// `concurrency` keys run at a time, a key never runs twice at once (re-added while running, it runs again
// afterwards), a failed key is retried with capped exponential backoff, and success forgets its failures.
// Events only say *which* key to look at; the handler reads the current state (level-based).
import { type BackoffOptions, backoffDelay } from '../backoff.js';
import { type Clock, systemClock, type TimerHandle } from '../clock.js';

export type WorkQueueOptions = {
  /** Processes one key; a rejection means "retry later" unless `isRetriable` says otherwise. */
  readonly process: (key: string) => Promise<void>;
  /** Keys processed at the same time; default 1. */
  readonly concurrency?: number;
  /** Per-key retry delays; default 5 ms doubling to 1000 s, client-go's item rate limiter. */
  readonly backoff?: BackoffOptions;
  /** Retries per key before it is dropped (until it is added again); default unlimited. */
  readonly maxRetries?: number;
  /** Terminal errors (an invalid spec) are not retried; default: every error is retriable. */
  readonly isRetriable?: (err: unknown) => boolean;
  /** Told about each failure, with the retry delay or `undefined` when the key is dropped. */
  readonly onError?: (key: string, err: unknown, retryInMs: number | undefined) => void;
  /** Told the number of keys waiting to run whenever it changes (the queue depth gauge). */
  readonly onDepthChange?: (depth: number) => void;
  readonly clock?: Clock;
};

export interface WorkQueue {
  /** Queues `key` now (de-duplicated). Ignored after shutDown. */
  add(key: string): void;
  /** Queues `key` after `ms`; a pending earlier delayed add wins. */
  addAfter(key: string, ms: number): void;
  /** Clears the failure count of `key` (done automatically after a successful run). */
  forget(key: string): void;
  /** Failures of `key` since its last success. */
  retries(key: string): number;
  /** Keys waiting to run (not counting running or delayed ones). */
  depth(): number;
  /** Resolves when nothing is queued, delayed or running. */
  idle(): Promise<void>;
  /** Stops taking work, drops queued and delayed keys, and resolves once in-flight keys finished. */
  shutDown(): Promise<void>;
}

export function createWorkQueue(opts: WorkQueueOptions): WorkQueue {
  const clock = opts.clock ?? systemClock;
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const backoff = opts.backoff ?? { minMs: 5, maxMs: 1_000_000, jitter: 0 };
  const maxRetries = opts.maxRetries ?? Number.POSITIVE_INFINITY;
  const isRetriable = opts.isRetriable ?? (() => true);

  const queue: string[] = [];
  const dirty = new Set<string>(); // queued, or re-added while processing
  const processing = new Set<string>();
  const delayed = new Map<string, { at: number; timer: TimerHandle }>();
  const failures = new Map<string, number>();
  let idleWaiters: Array<() => void> = [];
  let shuttingDown = false;
  let lastDepth = -1;

  const reportDepth = () => {
    if (queue.length !== lastDepth) {
      lastDepth = queue.length;
      opts.onDepthChange?.(queue.length);
    }
  };

  const checkIdle = () => {
    if (queue.length === 0 && processing.size === 0 && (delayed.size === 0 || shuttingDown)) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const pump = () => {
    while (!shuttingDown && processing.size < concurrency && queue.length > 0) {
      const key = queue.shift() as string;
      dirty.delete(key);
      processing.add(key);
      void run(key);
    }
    reportDepth();
  };

  const run = async (key: string) => {
    try {
      await opts.process(key);
      failures.delete(key);
    } catch (err) {
      const n = failures.get(key) ?? 0;
      if (!shuttingDown && isRetriable(err) && n < maxRetries) {
        failures.set(key, n + 1);
        const delay = backoffDelay(n, backoff);
        opts.onError?.(key, err, delay);
        addAfter(key, delay);
      } else {
        failures.delete(key);
        opts.onError?.(key, err, undefined);
      }
    } finally {
      processing.delete(key);
      if (dirty.has(key) && !shuttingDown) queue.push(key);
      pump();
      checkIdle();
    }
  };

  const add = (key: string) => {
    if (shuttingDown) return;
    const pending = delayed.get(key);
    if (pending) {
      pending.timer.cancel();
      delayed.delete(key);
    }
    if (dirty.has(key)) return;
    dirty.add(key);
    if (processing.has(key)) return;
    queue.push(key);
    pump();
  };

  const addAfter = (key: string, ms: number) => {
    if (shuttingDown) return;
    if (ms <= 0) return add(key);
    const at = clock.now() + ms;
    const pending = delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = clock.setTimer(ms, () => {
      delayed.delete(key);
      add(key);
      checkIdle();
    });
    delayed.set(key, { at, timer });
  };

  return {
    add,
    addAfter,
    forget: (key) => void failures.delete(key),
    retries: (key) => failures.get(key) ?? 0,
    depth: () => queue.length,
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    async shutDown() {
      shuttingDown = true;
      for (const { timer } of delayed.values()) timer.cancel();
      delayed.clear();
      queue.length = 0;
      dirty.clear();
      reportDepth();
      await new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
  };
}

// A resilient informer: list, then watch from the list's resourceVersion; on 410 Gone re-list; on any
// other error or end of stream re-watch with capped exponential backoff and jitter. client-node's own
// informer stops for good on the first error, naive restart loops flood the API server
// (kubernetes-client/javascript#1933), and its restarts never replay adds or deletes (#795). Here a
// re-list diffs against the cache: what vanished while disconnected is emitted as a delete, what
// changed as an upsert (informer-cache.ts).
// Two more ways out of a watch, so that no missed change outlives a known bound: a watch silent for longer
// than `idleWatchMs` (no event, no bookmark) is cut and re-opened from the last resourceVersion
// (watch-liveness.ts), and every `relistIntervalMs` (shortened by up to 10 % at random) the collection is
// re-listed and diffed against the cache, controller-runtime's SyncPeriod idea.
import type { Logger } from 'pino';
import { type BackoffOptions, createBackoff } from '../backoff.js';
import { type Clock, sleep, systemClock } from '../clock.js';
import { type ChangeListener, createInformerCache } from './informer-cache.js';
import { type InformerSource, isGone } from './list-watch-source.js';
import { watchLiveness } from './watch-liveness.js';

export const DEFAULT_IDLE_WATCH_MS = 60_000;
export const DEFAULT_RELIST_INTERVAL_MS = 3_600_000;
/** The share of the re-list period that is random, so replicas and informers do not re-list together. */
const RELIST_JITTER = 0.1;

export { type ChangeKind, type ChangeListener, objectKey, projection } from './informer-cache.js';
export type RestartReason = 'expired' | 'watch-error' | 'watch-closed' | 'watch-idle' | 'relist' | 'list-error';

export type InformerOptions<T> = {
  readonly source: InformerSource;
  /**
   * Parses a raw object and keeps only the fields a handler needs; `undefined` means "not of
   * interest" (an object that stops being of interest is emitted as a delete).
   */
  readonly project: (raw: unknown) => T | undefined;
  /** Whether two projections are the same (no event then); default deep equality. */
  readonly equals?: (a: T, b: T) => boolean;
  /** Delays between failed lists and unhealthy watches; default 800 ms doubling to 30 s (client-go's reflector). */
  readonly backoff?: BackoffOptions;
  /** A watch that delivered an object event (bookmarks do not count) or stayed open this long was healthy and resets the backoff; default 10 s. */
  readonly healthyWatchMs?: number;
  /** A watch with neither events nor bookmarks for this long is dead: cut and re-opened; default 60 s. */
  readonly idleWatchMs?: number;
  /** Re-list period (each one shortened by up to 10 % at random); default 1 h. */
  readonly relistIntervalMs?: number;
  /** Uniform random source in [0, 1) for the re-list jitter and backoff; default Math.random. */
  readonly random?: () => number;
  readonly onRestart?: (reason: RestartReason) => void;
  readonly clock?: Clock;
  readonly log?: Logger;
};

/** How informers keep time: the clock, the idle-watch bound and the re-list period (tests step the clock). */
export type InformerTiming = Pick<InformerOptions<unknown>, 'clock' | 'idleWatchMs' | 'relistIntervalMs' | 'random'>;

export interface Informer<T> {
  /** Starts listing and watching; call once, after adding listeners. */
  start(): void;
  /** Resolves after the first successful list is in the cache; rejects if stopped before that. */
  synced(): Promise<void>;
  hasSynced(): boolean;
  /** Every cached projection (insertion order; sort if order matters). */
  list(): T[];
  get(key: string): T | undefined;
  readonly size: number;
  /** Calls `listener(key, kind)` after the cache changed; returns an unsubscribe function. */
  onChange(listener: ChangeListener): () => void;
  /** Stops watching; resolves once the loop has exited. */
  stop(): Promise<void>;
}

export function createInformer<T>(opts: InformerOptions<T>): Informer<T> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const backoff = createBackoff({ random, ...(opts.backoff ?? { minMs: 800, maxMs: 30_000 }) });
  const healthyWatchMs = opts.healthyWatchMs ?? 10_000;
  const idleWatchMs = opts.idleWatchMs ?? DEFAULT_IDLE_WATCH_MS;
  const relistIntervalMs = opts.relistIntervalMs ?? DEFAULT_RELIST_INTERVAL_MS;
  const resource = opts.source.resource;
  const log = opts.log?.child({ resource });
  if (!(idleWatchMs > 0) || !(relistIntervalMs > 0)) throw new Error(`informer for ${resource}: idleWatchMs and relistIntervalMs must be positive`);

  const cache = createInformerCache<T>({ project: opts.project, ...(opts.equals ? { equals: opts.equals } : {}), ...(log ? { log } : {}) });
  const stopper = new AbortController();
  let resourceVersion = '';
  let started = false;
  let hasSynced = false;
  let loopDone: Promise<void> = Promise.resolve();

  let resolveSynced: () => void = () => {};
  let rejectSynced: (e: Error) => void = () => {};
  const syncedPromise = new Promise<void>((resolve, reject) => {
    resolveSynced = resolve;
    rejectSynced = reject;
  });
  syncedPromise.catch(() => {}); // a caller that never asks must not see an unhandled rejection

  const restart = async (reason: RestartReason, healthy: boolean, err?: unknown) => {
    opts.onRestart?.(reason);
    if (healthy) backoff.reset();
    const delay = healthy && reason !== 'watch-error' ? 0 : backoff.next();
    if (reason === 'relist') log?.debug({ relistIntervalMs }, 'Informer re-listing (periodic)');
    else if (reason === 'watch-idle') log?.debug({ idleWatchMs, retryInMs: delay }, 'Informer watch silent too long; re-watching');
    else if (reason === 'expired') log?.info({ retryInMs: delay }, 'Informer resource version expired; re-listing');
    else if (reason === 'watch-closed') log?.debug({ retryInMs: delay }, 'Informer watch closed; re-watching');
    else log?.warn({ err, retryInMs: delay }, reason === 'list-error' ? 'Informer list failed; retrying' : 'Informer watch failed; re-watching');
    if (delay > 0) await sleep(clock, delay, stopper.signal);
  };

  // In its own function so the raw list is garbage once applied: a suspended async frame (the watch
  // loop below) may keep stale locals alive, which would pin every raw object next to the projections.
  // Pages are projected as they arrive: only the projections of a 100,000-pod listing are held, not
  // every raw object until the last page as well (~60 MB of heap for the bench's small pods; real pods,
  // with their specs and status, are several times larger).
  const relist = async (signal: AbortSignal) => {
    const list = cache.beginList();
    const listed = await opts.source.list(signal, (items) => list.add(items));
    if (signal.aborted) return;
    list.add(listed.items);
    list.commit();
    resourceVersion = listed.resourceVersion;
  };

  const run = async () => {
    const signal = stopper.signal;
    while (!signal.aborted) {
      // list
      try {
        await relist(signal);
        if (signal.aborted) break;
        if (!hasSynced) {
          hasSynced = true;
          log?.info({ objects: cache.size }, 'Informer synced');
          resolveSynced();
        }
      } catch (err) {
        if (signal.aborted) break;
        await restart('list-error', false, err);
        continue;
      }
      // watch until the resourceVersion expires or the periodic re-list is due
      const relistAt = clock.now() + Math.round(relistIntervalMs * (1 - RELIST_JITTER * random()));
      while (!signal.aborted) {
        if (clock.now() >= relistAt) {
          await restart('relist', true);
          break;
        }
        const startedAt = clock.now();
        let sawEvent = false;
        const healthy = () => sawEvent || clock.now() - startedAt >= healthyWatchMs;
        const live = watchLiveness({ clock, idleMs: idleWatchMs, relistAt, stop: signal });
        try {
          await opts.source.watch(
            resourceVersion,
            (e) => {
              if (live.signal.aborted) return;
              live.seen();
              if (e.type !== 'BOOKMARK') sawEvent = true;
              resourceVersion = cache.applyEvent(e) ?? resourceVersion;
            },
            live.signal,
          );
          if (signal.aborted) break;
          const cut = live.cut();
          if (cut === 'relist') {
            await restart('relist', true);
            break;
          }
          await restart(cut === 'idle' ? 'watch-idle' : 'watch-closed', healthy());
        } catch (err) {
          if (signal.aborted) break;
          if (isGone(err)) {
            await restart('expired', healthy());
            break;
          }
          await restart('watch-error', healthy(), err);
        } finally {
          live.dispose();
        }
      }
    }
  };

  return {
    start() {
      if (started) throw new Error(`informer for ${resource} started twice`);
      started = true;
      loopDone = run().catch((err: unknown) => log?.error({ err }, 'Informer stopped unexpectedly'));
    },
    synced: () => syncedPromise,
    hasSynced: () => hasSynced,
    list: () => cache.list(),
    get: (key) => cache.get(key),
    get size() {
      return cache.size;
    },
    onChange: (listener) => cache.onChange(listener),
    async stop() {
      stopper.abort();
      if (!hasSynced) rejectSynced(new Error(`informer for ${resource} stopped before it synced`));
      await loopDone;
    },
  };
}

import type { Clock } from './clock.js';

/**
 * `fn` at most once per `gapMs` of clock time; calls in between are dropped. For checks that a frequent,
 * ordinary event may call for (a webhook DELETE that finds no entry: the kubelet's final DELETE of every
 * pod follows the user's), where a periodic pass covers whatever a dropped call would have found.
 */
export function throttle(fn: () => void, gapMs: number, clock: Clock): () => void {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const now = clock.now();
    if (now - last < gapMs) return;
    last = now;
    fn();
  };
}

// A token bucket on an injected clock: `burst` writes at once, then `perSecond` on average. take() never
// waits: the caller drops what does not fit (the recorder counts it), so a flood of objects cannot turn
// into a flood of API writes or a growing backlog.
import type { Clock } from '../clock.js';

export type TokenBucketOptions = { readonly burst: number; readonly perSecond: number; readonly clock: Clock };

export type TokenBucket = { take(): boolean };

export function tokenBucket(opts: TokenBucketOptions): TokenBucket {
  let tokens = opts.burst;
  let last = opts.clock.now();
  return {
    take() {
      const now = opts.clock.now();
      tokens = Math.min(opts.burst, tokens + ((now - last) / 1000) * opts.perSecond);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

// Exponential backoff with full jitter for retried SPIRE calls. The random source is injected so a
// test can pin the delays.
export type RetryPolicy = {
  /** Attempts in total, the first included (1 = no retry). */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
};

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 5000, multiplier: 2 };

/** Delay before attempt `retry + 1` (retry counts from 0): uniform in [cap/2, cap], cap growing exponentially. */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** retry);
  return Math.round(cap / 2 + random() * (cap / 2));
}

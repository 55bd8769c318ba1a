// Capped exponential backoff with jitter, shared by informers (re-list/re-watch), the work queue (per-key
// retries), the reconcile trigger (failed passes), leader election and SPIRE start-up retries. Like
// spire-controller-manager's pkg/webhookmanager/backoff.go it is a small object with a minimum and a
// maximum; randomness is injected so tests are deterministic.

export type BackoffOptions = {
  /** First delay. */
  readonly minMs: number;
  /** No delay is ever longer than this. */
  readonly maxMs: number;
  /** Growth per failure; default 2. */
  readonly factor?: number;
  /**
   * Fraction of the delay that is randomised, 0..1; default 0.2. The jitter only shortens a delay
   * (delay in [base * (1 - jitter), base]) so `maxMs` stays a hard cap, and replicas that failed
   * together do not retry together (kubernetes-client/javascript#1933: lockstep restart loops).
   */
  readonly jitter?: number;
  /** Uniform random source in [0, 1); default Math.random. */
  readonly random?: () => number;
};

/** The delay before retry number `attempt` (0-based), without keeping state. */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const factor = opts.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.2));
  const random = opts.random ?? Math.random;
  const base = Math.min(opts.maxMs, opts.minMs * factor ** Math.max(0, attempt));
  return Math.max(0, Math.round(base * (1 - jitter * random())));
}

export interface Backoff {
  /** The delay to wait before the next retry; each call counts one more failure. */
  next(): number;
  /** Back to the minimum after a success. */
  reset(): void;
  /** Failures since the last reset. */
  readonly attempts: number;
}

export function createBackoff(opts: BackoffOptions): Backoff {
  if (!(opts.minMs >= 0) || !(opts.maxMs >= opts.minMs)) {
    throw new Error(`backoff needs 0 <= minMs <= maxMs (got ${opts.minMs}, ${opts.maxMs})`);
  }
  let attempts = 0;
  return {
    next() {
      return backoffDelay(attempts++, opts);
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}

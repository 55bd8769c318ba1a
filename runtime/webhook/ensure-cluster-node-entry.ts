// Start-up: make sure the cluster node entry exists before any admission is answered (the original's
// Controller.Initialize). SPIRE may still be starting in the next container, so retry with backoff until
// it answers; only `signal` ends the wait.
import type { Logger } from 'pino';
import type { EntryStore } from '../../adapters/entry-store.js';
import { clusterNodeEntry, type ClusterNodeConfig } from '../../handlers/webhook-node/cluster-node-entry.js';
import { createBackoff, type BackoffOptions } from '../backoff.js';
import { sleep, type Clock } from '../clock.js';
import { applyEntryOps, type EntryCounters } from './apply-entry-ops.js';

export type EnsureOptions = {
  readonly store: EntryStore;
  readonly config: ClusterNodeConfig;
  readonly log: Logger;
  readonly counters?: EntryCounters;
  readonly clock: Clock;
  readonly backoff: BackoffOptions;
  readonly signal: AbortSignal;
  /** Deadline of one attempt. */
  readonly attemptTimeoutMs: number;
};

/** Resolves true once the entry exists, false when `signal` aborted first. */
export async function ensureClusterNodeEntry(opts: EnsureOptions): Promise<boolean> {
  const backoff = createBackoff(opts.backoff);
  while (!opts.signal.aborted) {
    try {
      const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.attemptTimeoutMs)]);
      // Logged as "Created pod entry", like every entry the original wrote: the tutorial's grep for that
      // phrase lists the node entry first, then the agent and the workload.
      await applyEntryOps(opts.store, [{ op: 'create', entry: clusterNodeEntry(opts.config) }], opts.log, { signal }, opts.counters);
      return true;
    } catch (err) {
      if (opts.signal.aborted) break;
      const delayMs = backoff.next();
      opts.log.warn({ err, attempt: backoff.attempts, retry_in_ms: delayMs }, 'Cannot register the cluster node entry yet; retrying');
      await sleep(opts.clock, delayMs, opts.signal);
    }
  }
  return false;
}

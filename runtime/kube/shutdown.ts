// Graceful shutdown in a fixed order: stop the informers (no new events), drain the work (queues and
// the running reconcile pass finish; nothing new starts), release the leader lease (a follower takes
// over only after our last write), close the servers (metrics/health answer until the end). A failing
// or hanging step is logged and does not keep the later steps from running; the caller then exits 0.
import type { Logger } from 'pino';
import { type Clock, sleep, systemClock } from '../clock.js';

export type ShutdownSteps = {
  readonly stopInformers?: () => Promise<void>;
  readonly drainWork?: () => Promise<void>;
  readonly releaseLease?: () => Promise<void>;
  readonly closeServers?: () => Promise<void>;
};

export type ShutdownOptions = {
  readonly log?: Logger;
  /** Longest wait for one step before moving on; default 30 s (Kubernetes' default grace period). */
  readonly stepTimeoutMs?: number;
  readonly clock?: Clock;
};

const order = ['stopInformers', 'drainWork', 'releaseLease', 'closeServers'] as const;

/** Runs the steps in order; resolves with the names of the steps that failed or timed out. */
export async function shutDownGracefully(steps: ShutdownSteps, opts: ShutdownOptions = {}): Promise<string[]> {
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.stepTimeoutMs ?? 30_000;
  const failed: string[] = [];
  for (const name of order) {
    const step = steps[name];
    if (!step) continue;
    const timer = new AbortController();
    try {
      const outcome = await Promise.race([
        step().then(() => 'done' as const),
        sleep(clock, timeoutMs, timer.signal).then(() => 'timeout' as const),
      ]);
      if (outcome === 'timeout') {
        failed.push(name);
        opts.log?.error({ step: name, timeoutMs }, 'Shutdown step timed out');
      } else {
        opts.log?.debug({ step: name }, 'Shutdown step done');
      }
    } catch (err) {
      failed.push(name);
      opts.log?.error({ err, step: name }, 'Shutdown step failed');
    } finally {
      timer.abort();
    }
  }
  return failed;
}

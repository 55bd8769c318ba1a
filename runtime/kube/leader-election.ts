// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules (leaderelection.go): a
// lease held by someone else counts as expired only when its record has not changed for
// leaseDurationSeconds *as observed locally* (immune to clock skew between nodes); the leader renews
// every retry period and steps down when it cannot renew within the renew deadline; every write is a
// compare-and-swap on resourceVersion (409 -> try again next period). On stop the leader releases the
// lease (empty holder, 1 s duration) so a follower takes over within one retry period.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { type Clock, sleep, systemClock } from '../clock.js';
import { LeaseConflictError, type LeaseClient, type LeaseRecord, type LeaseSpec } from './lease-client.js';
import { aborted } from '../aborted.js';

export type LeaderElectorOptions = {
  readonly client: LeaseClient;
  /** Unique per process: see leaderIdentity(). */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Called when this process becomes leader; `signal` aborts when it stops leading. */
  readonly onStartedLeading: (signal: AbortSignal) => void;
  /**
   * Called when this process stops leading (lost the lease, or stop() was called). On stop, the lease
   * is released only after the returned promise settles: drain in-flight writes here, so a follower
   * never writes while the old leader still does.
   */
  readonly onStoppedLeading: () => void | Promise<void>;
  /** Called when the observed holder changes ('' = nobody). */
  readonly onNewLeader?: (identity: string) => void;
  /** Set to 1 while leading and 0 otherwise (the leader gauge). */
  readonly leaderGauge?: { set(value: number): void };
  readonly clock?: Clock;
  /** Uniform random source in [0, 1) for retry jitter; default Math.random. */
  readonly random?: () => number;
  readonly log?: Logger;
};

export interface LeaderElector {
  /** Starts campaigning in the background. */
  start(): void;
  /** Stops campaigning; if leading, steps down and releases the lease. Resolves when done. */
  stop(): Promise<void>;
  isLeader(): boolean;
  /** True once this process is leader or has seen a live lease held by someone else (for /readyz). */
  leadershipKnown(): boolean;
  /** The holder last observed ('' = nobody, undefined = not observed yet). */
  leader(): string | undefined;
}

/** The Lease's name, as the original registrar's controller-runtime manager named it. */
export function leaderElectionLeaseName(controllerName: string): string {
  return `${controllerName}-leader-election`;
}

/** Pod name (POD_NAME, else the host name, which Kubernetes sets to the pod name) plus a random suffix. */
export function leaderIdentity(env: NodeJS.ProcessEnv = process.env, host: string = hostname()): string {
  return `${env.POD_NAME || host}_${randomUUID()}`;
}

/**
 * Campaigns until `signal` aborts, then steps down (awaiting onStoppedLeading) and releases the lease;
 * resolves when all that is done. The shape reconcile and crd modes call.
 */
export async function runLeaderElection(opts: LeaderElectorOptions & { readonly signal: AbortSignal }): Promise<void> {
  const elector = createLeaderElector(opts);
  elector.start();
  await aborted(opts.signal);
  await elector.stop();
}

type Attempt = 'acquired' | 'held-by-other' | 'failed';

export function createLeaderElector(opts: LeaderElectorOptions): LeaderElector {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const leaseDurationMs = opts.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = opts.retryPeriodMs ?? 2_000;
  const leaseDurationSeconds = Math.max(1, Math.round(leaseDurationMs / 1000));
  const log = opts.log;
  const id = opts.identity;

  let observed: LeaseRecord | undefined;
  let observedAt = 0;
  let leading = false;
  let known = false;
  let stopper: AbortController | undefined;
  let loop: Promise<void> = Promise.resolve();

  const observe = (rec: LeaseRecord) => {
    const changed =
      !observed ||
      observed.holderIdentity !== rec.holderIdentity ||
      observed.renewTime !== rec.renewTime ||
      observed.resourceVersion !== rec.resourceVersion;
    if (changed) observedAt = clock.now();
    if (observed?.holderIdentity !== rec.holderIdentity) {
      log?.info({ leader: rec.holderIdentity }, 'New leader observed');
      opts.onNewLeader?.(rec.holderIdentity);
    }
    observed = rec;
  };

  const tryAcquireOrRenew = async (): Promise<Attempt> => {
    const now = clock.now();
    try {
      const rec = await opts.client.get();
      if (!rec) {
        const spec: LeaseSpec = { holderIdentity: id, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 };
        observe(await opts.client.create(spec));
        return 'acquired';
      }
      observe(rec);
      const durationMs = (rec.leaseDurationSeconds || leaseDurationSeconds) * 1000;
      const ours = rec.holderIdentity === id;
      if (!ours && rec.holderIdentity !== '' && observedAt + durationMs > now) {
        known = true;
        return 'held-by-other';
      }
      const spec: LeaseSpec = {
        holderIdentity: id,
        leaseDurationSeconds,
        acquireTime: ours ? (rec.acquireTime ?? now) : now,
        renewTime: now,
        leaseTransitions: ours ? rec.leaseTransitions : rec.leaseTransitions + 1,
      };
      observe(await opts.client.update(spec, rec.resourceVersion));
      return 'acquired';
    } catch (err) {
      if (err instanceof LeaseConflictError) log?.debug({ err }, 'Lease changed under us; retrying');
      else log?.warn({ err }, 'Failed to acquire or renew the leader lease');
      return 'failed';
    }
  };

  /** Resolves 'failed' if the attempt takes longer than `ms` (a hung request must not extend leadership). */
  const attemptWithin = async (ms: number): Promise<Attempt> => {
    const deadline = new AbortController();
    const timedOut = sleep(clock, Math.max(0, ms), deadline.signal).then((): Attempt => 'failed');
    const result = await Promise.race([tryAcquireOrRenew(), timedOut]);
    deadline.abort();
    return result;
  };

  const jittered = () => retryPeriodMs * (1 + 0.2 * random());

  const release = async () => {
    for (let i = 0; i < 3 && observed?.holderIdentity === id; i++) {
      const now = clock.now();
      const spec: LeaseSpec = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: observed.leaseTransitions };
      try {
        observe(await opts.client.update(spec, observed.resourceVersion));
        log?.info('Released the leader lease');
        return;
      } catch (err) {
        if (!(err instanceof LeaseConflictError)) {
          log?.warn({ err }, 'Failed to release the leader lease');
          return;
        }
        const rec = await opts.client.get().catch(() => undefined);
        if (!rec) return;
        observe(rec);
      }
    }
  };

  const setLeading = (value: boolean) => {
    leading = value;
    opts.leaderGauge?.set(value ? 1 : 0);
  };

  const run = async (signal: AbortSignal) => {
    opts.leaderGauge?.set(0);
    while (!signal.aborted) {
      // candidate: try every retry period until acquired
      let attempt = await attemptWithin(renewDeadlineMs);
      while (attempt !== 'acquired' && !signal.aborted) {
        await sleep(clock, jittered(), signal);
        if (signal.aborted) break;
        attempt = await attemptWithin(renewDeadlineMs);
      }
      if (signal.aborted) {
        if (attempt === 'acquired') await release();
        break;
      }
      known = true;
      setLeading(true);
      const term = new AbortController();
      log?.info({ identity: id }, 'Started leading');
      opts.onStartedLeading(term.signal);
      // leader: renew every retry period; give up when the renew deadline passes without success
      let lastRenew = clock.now();
      let lost = false;
      while (!signal.aborted) {
        await sleep(clock, retryPeriodMs, signal);
        if (signal.aborted) break;
        const r = await attemptWithin(renewDeadlineMs - (clock.now() - lastRenew));
        if (r === 'acquired') lastRenew = clock.now();
        else if (r === 'held-by-other' || clock.now() - lastRenew >= renewDeadlineMs) {
          lost = true;
          break;
        }
      }
      term.abort();
      setLeading(false);
      if (lost) log?.warn({ identity: id }, 'Lost the leader lease');
      log?.info({ identity: id }, 'Stopped leading');
      try {
        await opts.onStoppedLeading();
      } catch (err) {
        log?.error({ err }, 'Stopped-leading callback failed');
      }
      if (!lost) await release();
    }
  };

  return {
    start() {
      if (stopper) throw new Error('leader elector started twice');
      stopper = new AbortController();
      loop = run(stopper.signal).catch((err: unknown) => log?.error({ err }, 'Leader election stopped unexpectedly'));
    },
    async stop() {
      stopper?.abort();
      await loop;
    },
    isLeader: () => leading,
    leadershipKnown: () => known,
    leader: () => observed?.holderIdentity,
  };
}

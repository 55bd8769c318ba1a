// Reconcile mode's composition: SPIRE connection, informers, the reconcile pass behind a coalescing
// trigger, leader election, the metrics/health server, and an orderly shutdown when the context's signal
// aborts. Every replica keeps its caches warm; only the leader runs passes (writes to SPIRE).
import type { KubeConfig } from '@kubernetes/client-node';
import type { EntryStore } from '../../adapters/entry-store.js';
import { podObjectKey } from '../../handlers/entries/ownership.js';
import type { ReconcileConfig } from '../config/registrar-config.js';
import { type Clock, systemClock, type TimerHandle } from '../clock.js';
import type { ModeContext } from '../modes/mode-context.js';
import { createMetrics, spireCallRecorder } from '../observability/metrics.js';
import type { SpireCallObserver } from '../spire-connection.js';
import { startObservabilityServer, type ObservabilityServer } from '../observability/http-server.js';
import { createReadiness } from '../observability/readiness.js';
import { createTrigger, retryBackoff, type Trigger } from '../trigger.js';
import { createClusterInformers, type ClusterInformers } from './cluster-informers.js';
import { ownNamespace } from '../kube/kube-config.js';
import { createLeaderElector, leaderElectionLeaseName, leaderIdentity, type LeaderElector } from '../kube/leader-election.js';
import { shutDownGracefully } from '../kube/shutdown.js';
import { kubeLeaseClient } from '../kube/lease-client.js';
import { eventBatch } from '../event-batch.js';
import { createReconciler } from './reconciler.js';
import { aborted } from '../aborted.js';
import type { EventRecorder } from '../events/event-recorder.js';
import type { EventSink } from '../events/event-sink.js';
import { kubeEventRecorder } from '../events/kube-event-recorder.js';

export type SpireConnection = {
  readonly entries: EntryStore;
  /** Tells when the channel is ready again after losing SPIRE (see adapters/spire/connect.ts). */
  onReconnect?(listener: () => void): () => void;
  close(): Promise<void>;
};

export type ReconcileDeps = {
  readonly connect: (cfg: ReconcileConfig, onCall: SpireCallObserver) => Promise<SpireConnection>;
  readonly kubeConfig: () => KubeConfig;
  /** The registrar's own namespace, where the leader Lease lives (default: ownNamespace()). */
  readonly namespace?: string;
  /** Leader election identity (default: leaderIdentity()). */
  readonly identity?: string;
  /**
   * Lease timing; default: the config's leader_election_* keys (15 s / 10 s / 2 s unless set). `clock`: the
   * lease's own (tests step it so that no stall of a loaded machine can move leadership); default `clock`.
   */
  readonly leaderTiming?: { readonly leaseDurationMs: number; readonly renewDeadlineMs: number; readonly retryPeriodMs: number; readonly clock?: Clock };
  readonly clock?: Clock;
  /** How long the first event of a burst waits for others before the pass runs; default 5 ms, 0 = none. */
  readonly eventBatchMs?: number;
  /** Replaces the client-node Kubernetes Events sink (tests). */
  readonly eventSink?: EventSink;
};

export async function runReconcile(ctx: ModeContext<ReconcileConfig>, deps: ReconcileDeps): Promise<void> {
  const cfg = ctx.config;
  const log = ctx.logger.child({ component: 'reconcile' });
  const clock = deps.clock ?? systemClock;
  const metrics = createMetrics();
  const readiness = createReadiness();
  const cachesSynced = readiness.flag('caches synced');
  let server: ObservabilityServer | undefined;
  let spire: SpireConnection | undefined;
  let informers: ClusterInformers | undefined;
  let elector: LeaderElector | undefined;
  let term: { readonly trigger: Trigger; cancelResync(): void } | undefined;
  let recorder: EventRecorder | undefined;
  let eventsReady = () => {};
  const events = eventBatch(clock, deps.eventBatchMs ?? 5, () => {
    eventsReady();
    term?.trigger.fire();
  });

  /** Ends the current term: no new pass starts; resolves when the pass in flight has finished. */
  const stopLeading = async () => {
    const ending = term;
    term = undefined;
    events.cancel();
    await ending?.trigger.stop();
    ending?.cancelResync();
  };

  try {
    server = await startObservabilityServer({ addr: cfg.metricsAddr, metrics, readiness, log });
    const kubeConfig = deps.kubeConfig();
    spire = await deps.connect(cfg, spireCallRecorder(metrics));
    const cluster = createClusterInformers({ kubeConfig, config: cfg, log, metrics, timing: { clock, relistIntervalMs: cfg.relistIntervalMs } });
    informers = cluster;
    const eventRecorder = kubeEventRecorder({ kubeConfig, sink: deps.eventSink, clock, log, metrics });
    recorder = eventRecorder;
    const reconciler = createReconciler({
      store: spire.entries,
      view: cluster.view,
      config: cfg,
      log,
      metrics,
      clock,
      resyncIntervalMs: cfg.resyncIntervalMs,
      recordEvent: (e) => eventRecorder.record(e),
    });
    // A resync listing SPIRE reconciles the burst meanwhile instead of making it wait (reconciler.ts).
    eventsReady = () => {
      if (term) reconciler.eventsReady();
    };
    // SPIRE back after an outage (possibly restarted empty): list it again now rather than on the retry.
    spire.onReconnect?.(() => {
      if (!term) return;
      log.info('SPIRE connection ready again; reconciling');
      reconciler.index.invalidate();
      term.trigger.fire();
    });

    // Events only say which object to look at; the pass reads the caches (level-based).
    const fire = () => events.add();
    cluster.nodes.onChange((key) => {
      reconciler.markDirty(`node/${key}`);
      fire();
    });
    cluster.pods.onChange((key) => {
      reconciler.markDirty(`pod/${key}`);
      fire();
    });
    // An EndpointSlice change can add or remove DNS names of any pod in its namespace.
    cluster.endpointSlices?.onChange((key) => {
      const ns = key.slice(0, key.indexOf('/'));
      for (const p of cluster.view.pods()) {
        if (p.metadata.namespace === ns) reconciler.markDirty(podObjectKey(ns, p.metadata.name));
      }
      fire();
    });

    /**
     * A term's passes run with `signal`, which aborts when the term ends (lease lost). After each pass a
     * timer wakes the trigger when the next full pass is due, so a resync is never pushed back by a
     * stream of events; a failed pass is retried by the trigger's backoff instead, never later than
     * one resync interval. Shutdown (ctx.signal) aborts the pass in flight as well: every write is
     * idempotent and the next start lists SPIRE afresh, so nothing is lost by not finishing it.
     */
    const startLeading = (termSignal: AbortSignal) => {
      const signal = AbortSignal.any([termSignal, ctx.signal]);
      // A new term starts with a full pass (an index never loaded lists anyway: leave a prefetch be).
      if (reconciler.index.loaded) reconciler.index.invalidate();
      let resyncTimer: TimerHandle | undefined;
      const t = createTrigger({
        runPass: async () => {
          await reconciler.runPass({ signal });
          resyncTimer?.cancel();
          resyncTimer = clock.setTimer(reconciler.msUntilFullPass(), () => t.fire());
        },
        clock,
        backoff: retryBackoff({ minMs: 1000, maxMs: 30_000 }, cfg.resyncIntervalMs),
        onError: (err, retryInMs) => {
          if (signal.aborted) log.info({ reason: String(signal.reason) }, 'Reconcile pass aborted');
          else log.error({ err, retryInMs }, 'Reconcile pass failed');
        },
      });
      term = { trigger: t, cancelResync: () => resyncTimer?.cancel() };
      t.fire();
    };

    cluster.start();
    // Without leader election the first pass follows the sync at once: list SPIRE meanwhile (at 100,000
    // pods the two listings took about as long as each other, one after the other).
    if (!cfg.leaderElection) reconciler.prefetch(ctx.signal);
    log.info('Waiting for informer caches to sync');
    // No pass before every cache is complete: an empty snapshot would delete every owned entry.
    await Promise.race([cluster.synced(), aborted(ctx.signal)]);
    if (ctx.signal.aborted) return;
    cachesSynced.set(true);
    log.info({ nodes: cluster.nodes.size, pods: cluster.pods.size }, 'Informer caches synced');

    if (cfg.leaderElection) {
      const namespace = deps.namespace ?? ownNamespace();
      const lease = leaderElectionLeaseName(cfg.controllerName);
      elector = createLeaderElector({
        client: kubeLeaseClient(kubeConfig, namespace, lease),
        identity: deps.identity ?? leaderIdentity(),
        ...(deps.leaderTiming ?? {
          leaseDurationMs: cfg.leaseDurationMs,
          renewDeadlineMs: cfg.renewDeadlineMs,
          retryPeriodMs: cfg.retryPeriodMs,
        }),
        clock: deps.leaderTiming?.clock ?? clock,
        log,
        leaderGauge: metrics.leader,
        onStartedLeading: (signal) => {
          log.info({ lease, namespace }, 'Started leading: reconciling');
          startLeading(signal);
        },
        onStoppedLeading: () => {
          log.info({ lease, namespace }, 'Stopped leading: no more writes to SPIRE');
          void stopLeading();
        },
      });
      const known = elector;
      readiness.register('leadership known', () => known.leadershipKnown());
      elector.start();
    } else {
      // The term never ends on its own; shutdown aborts its pass through ctx.signal.
      startLeading(new AbortController().signal);
    }
    ctx.onReady?.();
    await aborted(ctx.signal);
    log.info('Shutting down reconcile mode');
  } finally {
    // Informers first (no new events), then the pass in flight, then the lease (a follower takes over
    // only after our last write), then the connections and the metrics/health server.
    const [inf, el, sp, srv] = [informers, elector, spire, server];
    await shutDownGracefully(
      {
        ...(inf ? { stopInformers: () => inf.stop() } : {}),
        drainWork: async () => {
          await stopLeading();
          recorder?.stop();
        },
        ...(el ? { releaseLease: () => el.stop() } : {}),
        closeServers: async () => {
          await sp?.close();
          await srv?.close();
        },
      },
      { log, clock },
    );
  }
}

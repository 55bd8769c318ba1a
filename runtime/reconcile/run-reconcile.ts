// Reconcile mode's composition: SPIRE connection, informers, the reconcile pass behind a coalescing
// trigger, leader election, the metrics/health server, and an orderly shutdown when the context's signal
// aborts. Every replica keeps its caches warm; only the leader runs passes (writes to SPIRE).
import type { KubeConfig } from '@kubernetes/client-node';
import type { EntryStore } from '../../adapters/entry-store.js';
import { podObjectKey } from '../../handlers/entries/ownership.js';
import type { ReconcileConfig } from '../config/registrar-config.js';
import { type Clock, systemClock } from '../clock.js';
import type { ModeContext } from '../modes/mode-context.js';
import { createMetrics } from '../observability/metrics.js';
import { startObservabilityServer } from '../observability/http-server.js';
import { createReadiness } from '../observability/readiness.js';
import { createTrigger, type Trigger } from '../trigger.js';
import { createClusterInformers } from './cluster-informers.js';
import type { InformerSource } from '../kube/list-watch-source.js';
import { createReconciler } from './reconciler.js';

export type SpireConnection = { readonly entries: EntryStore; close(): Promise<void> };

/** Calls `onStartedLeading` with a signal that aborts when leadership ends; resolves after release. */
export type LeaderElection = (callbacks: {
  readonly onStartedLeading: (term: AbortSignal) => void;
  readonly onStoppedLeading: () => void;
  readonly signal: AbortSignal;
}) => Promise<void>;

export type ReconcileDeps = {
  readonly connect: (cfg: ReconcileConfig) => Promise<SpireConnection>;
  readonly kubeConfig: () => KubeConfig;
  /** Required when `leader_election = true`. */
  readonly leaderElection?: (cfg: ReconcileConfig, kubeConfig: KubeConfig) => LeaderElection;
  readonly clock?: Clock;
  /** Replaces the API server informer sources (tests). */
  readonly informerSource?: (plural: 'nodes' | 'pods' | 'endpoints') => InformerSource;
};

export async function runReconcile(ctx: ModeContext<ReconcileConfig>, deps: ReconcileDeps): Promise<void> {
  const cfg = ctx.config;
  const log = ctx.logger.child({ component: 'reconcile' });
  const clock = deps.clock ?? systemClock;
  const metrics = createMetrics();
  const readiness = createReadiness();
  const cachesSynced = readiness.flag('caches synced');
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => log.error({ err }, 'Shutdown step failed'));
  };

  try {
    const server = await startObservabilityServer({ addr: cfg.metricsAddr, metrics, readiness, log });
    if (server) closers.push(() => server.close());
    const kubeConfig = deps.kubeConfig();
    const spire = await deps.connect(cfg);
    closers.push(() => spire.close());

    const informers = createClusterInformers({
      kubeConfig,
      config: cfg,
      log,
      metrics,
      ...(deps.informerSource ? { source: deps.informerSource } : {}),
    });
    closers.push(() => informers.stop());
    const reconciler = createReconciler({
      store: spire.entries,
      view: informers.view,
      config: cfg,
      log,
      metrics,
      clock,
      resyncIntervalMs: cfg.resyncIntervalMs,
    });

    let trigger: Trigger | undefined;
    const fire = () => trigger?.fire();
    informers.nodes.onChange((key) => {
      reconciler.markDirty(`node/${key}`);
      fire();
    });
    informers.pods.onChange((key) => {
      reconciler.markDirty(`pod/${key}`);
      fire();
    });
    // An Endpoints change can add or remove DNS names of any pod in its namespace.
    informers.endpoints?.onChange((key) => {
      const ns = key.slice(0, key.indexOf('/'));
      for (const p of informers.view.pods()) {
        if (p.metadata.namespace === ns) reconciler.markDirty(podObjectKey(ns, p.metadata.name));
      }
      fire();
    });

    const startLeading = (signal: AbortSignal) => {
      reconciler.index.invalidate(); // a new term starts with a full pass
      trigger = createTrigger({
        runPass: () => reconciler.runPass({ signal }),
        resyncIntervalMs: cfg.resyncIntervalMs,
        clock,
        onError: (err, retryInMs) => log.error({ err, retryInMs }, 'Reconcile pass failed'),
      });
      trigger.fire();
    };
    const stopLeading = async () => {
      const t = trigger;
      trigger = undefined;
      await t?.stop();
    };
    closers.push(stopLeading);

    informers.start();
    log.info('Waiting for informer caches to sync');
    await Promise.race([informers.synced(), aborted(ctx.signal)]);
    if (ctx.signal.aborted) return;
    cachesSynced.set(true);
    log.info({ nodes: informers.nodes.size, pods: informers.pods.size }, 'Informer caches synced');

    if (cfg.leaderElection) {
      if (!deps.leaderElection) throw new Error('leader election is enabled but no leader elector is wired');
      const elect = deps.leaderElection(cfg, kubeConfig);
      ctx.onReady?.();
      await elect({
        signal: ctx.signal,
        onStartedLeading: (signal) => {
          log.info('Started leading: reconciling');
          metrics.leader.set(1);
          startLeading(signal);
        },
        onStoppedLeading: () => {
          log.info('Stopped leading: no more writes to SPIRE');
          metrics.leader.set(0);
          void stopLeading();
        },
      });
    } else {
      startLeading(ctx.signal);
      ctx.onReady?.();
      await aborted(ctx.signal);
    }
    log.info('Shutting down reconcile mode');
  } finally {
    await closeAll();
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

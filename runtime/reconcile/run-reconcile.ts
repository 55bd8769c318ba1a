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
import { ownNamespace } from '../kube/kube-config.js';
import { createLeaderElector, leaderElectionLeaseName, leaderIdentity } from '../kube/leader-election.js';
import { kubeLeaseClient } from '../kube/lease-client.js';
import type { InformerSource } from '../kube/list-watch-source.js';
import { createReconciler } from './reconciler.js';

export type SpireConnection = { readonly entries: EntryStore; close(): Promise<void> };

export type ReconcileDeps = {
  readonly connect: (cfg: ReconcileConfig) => Promise<SpireConnection>;
  readonly kubeConfig: () => KubeConfig;
  /** The registrar's own namespace, where the leader Lease lives (default: ownNamespace()). */
  readonly namespace?: string;
  /** Leader election identity (default: leaderIdentity()). */
  readonly identity?: string;
  /** Lease timing; default 15 s / 10 s / 2 s, as the original. */
  readonly leaderTiming?: { readonly leaseDurationMs: number; readonly renewDeadlineMs: number; readonly retryPeriodMs: number };
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
      const namespace = deps.namespace ?? ownNamespace();
      const lease = leaderElectionLeaseName(cfg.controllerName);
      const elector = createLeaderElector({
        client: kubeLeaseClient(kubeConfig, namespace, lease),
        identity: deps.identity ?? leaderIdentity(),
        ...(deps.leaderTiming ?? {}),
        clock,
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
      readiness.register('leadership known', () => elector.leadershipKnown());
      // Runs after stopLeading (closers run in reverse): the pass in flight finishes, then the lease goes.
      closers.splice(closers.indexOf(stopLeading), 0, () => elector.stop());
      elector.start();
    } else {
      // Never aborted: on shutdown the pass in flight finishes its batches (stopLeading waits for it).
      startLeading(new AbortController().signal);
    }
    ctx.onReady?.();
    await aborted(ctx.signal);
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

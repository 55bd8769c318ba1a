// Crd mode's composition: template start-up checks, SPIRE connection, metrics/health server, the
// SpiffeID validating webhook (every replica, with a serving certificate minted through SPIRE),
// informers, the crd pass behind a coalescing trigger (leader only), and an orderly shutdown when the
// context's signal aborts.
import type { KubeConfig } from '@kubernetes/client-node';
import type { EntryStore } from '../../adapters/entry-store.js';
import type { SvidMinter } from '../../adapters/svid-minter.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import type { CrdConfig } from '../config/registrar-config.js';
import { type Clock, systemClock } from '../clock.js';
import { ownNamespace } from '../kube/kube-config.js';
import type { InformerSource } from '../kube/list-watch-source.js';
import type { ModeContext } from '../modes/mode-context.js';
import { createMetrics, spireCallRecorder } from '../observability/metrics.js';
import type { SpireCallObserver } from '../spire-connection.js';
import { startObservabilityServer } from '../observability/http-server.js';
import { createReadiness } from '../observability/readiness.js';
import { createTrigger, type Trigger } from '../trigger.js';
import { CrdEntries } from './crd-entries.js';
import { crdRules } from './crd-rules.js';
import { createCrdInformers, type CrdResource } from './crd-informers.js';
import { createInterner } from '../kube/shared-values.js';
import { createCrdPass } from './crd-pass.js';
import { createCrdChanges } from './crd-slice.js';
import { kubeSpiffeIdWriter } from './spiffeid-writer.kube.js';
import type { SpiffeIdWriter } from './spiffeid-writer.js';
import { aborted } from '../aborted.js';
import { eventBatch } from '../event-batch.js';
import type { EventSink } from '../events/event-sink.js';
import { kubeEventRecorder } from '../events/kube-event-recorder.js';

export type CrdSpireConnection = {
  readonly entries: EntryStore;
  readonly svid: SvidMinter;
  /** Tells when the channel is ready again after losing SPIRE (see adapters/spire/connect.ts). */
  onReconnect?(listener: () => void): () => void;
  close(): Promise<void>;
};

/** Calls `onStartedLeading` with a signal that aborts when leadership ends; resolves after release. */
export type LeaderElection = (callbacks: {
  readonly onStartedLeading: (term: AbortSignal) => void;
  /** The lease is released only after the returned promise settles (the pass in flight drained). */
  readonly onStoppedLeading: () => void | Promise<void>;
  readonly signal: AbortSignal;
}) => Promise<void>;

export type CrdDeps = {
  readonly connect: (cfg: CrdConfig, onCall: SpireCallObserver) => Promise<CrdSpireConnection>;
  readonly kubeConfig: () => KubeConfig;
  /** Required when `leader_election = true`. */
  readonly leaderElection?: (cfg: CrdConfig, kubeConfig: KubeConfig, namespace: string) => LeaderElection;
  /** The registrar's namespace; default MY_POD_NAMESPACE, else the service account's namespace file. */
  readonly namespace?: string;
  readonly clock?: Clock;
  /** Webhook listen address; default `:<webhook_port>`. */
  readonly webhookAddr?: string;
  /** How often the serving certificate files are checked; default 10 s. */
  readonly certReloadIntervalMs?: number;
  /** Replaces the client-node writer (tests). */
  readonly writer?: SpiffeIdWriter;
  /** Replaces the API server informer sources (tests). */
  readonly informerSource?: (resource: CrdResource) => InformerSource;
  /** The registrar's own user name as the API server sees it; default: asked with a SelfSubjectReview. */
  readonly username?: string;
  /** Told the webhook's port once it listens (tests). */
  readonly onWebhookListening?: (port: number) => void;
  /** Replaces the client-node Kubernetes Events sink (tests). */
  readonly eventSink?: EventSink;
  /** How long the first event of a burst waits for others before the pass runs; default 5 ms, 0 = none. */
  readonly eventBatchMs?: number;
};

/** Past this many objects marked between two passes, the next pass is full (and no more are kept). */
const SLICE_MARK_LIMIT = 20_000;

export async function runCrd(ctx: ModeContext<CrdConfig>, deps: CrdDeps): Promise<void> {
  const cfg = ctx.config;
  const log = ctx.logger.child({ component: 'crd' });
  const clock = deps.clock ?? systemClock;
  const checked = checkCrdTemplates(cfg);
  if (!checked.ok) throw new Error(checked.error);
  const namespace = deps.namespace ?? ownNamespace({ log });
  const rules = crdRules(cfg, namespace);
  if (cfg.spiffeidPolicy === 'open') {
    log.warn(
      { spiffeid_policy: 'open' },
      'spiffeid_policy is "open": anyone who can write a SpiffeID can get any identity in the trust domain, including node IDs and downstream entries',
    );
  }

  const metrics = createMetrics();
  const readiness = createReadiness();
  const cachesSynced = readiness.flag('caches synced');
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((err: unknown) => log.error({ err }, 'Shutdown step failed'));
  };

  try {
    const server = await startObservabilityServer({ addr: cfg.metricsBindAddr, metrics, readiness, log });
    if (server) closers.push(() => server.close());
    const kubeConfig = deps.kubeConfig();
    const spire = await deps.connect(cfg, spireCallRecorder(metrics));
    closers.push(() => spire.close());

    if (cfg.webhookEnabled) {
      // Loaded only here: its certificate code is a large share of what crd mode would otherwise load.
      const { startSpiffeIdWebhook } = await import('./spiffeid-webhook-server.js');
      const port = await startSpiffeIdWebhook({
        cfg,
        spire,
        kubeConfig,
        rules,
        namespace,
        log,
        clock,
        closers,
        addr: deps.webhookAddr ?? `:${cfg.webhookPort}`,
        ...(deps.username !== undefined ? { username: deps.username } : {}),
        ...(deps.certReloadIntervalMs !== undefined ? { certReloadIntervalMs: deps.certReloadIntervalMs } : {}),
      });
      deps.onWebhookListening?.(port);
    }

    // One string table for the caches and SPIRE's entries: a SpiffeID and its entry share their IDs.
    const intern = createInterner();
    const informers = createCrdInformers({
      kubeConfig,
      intern,
      config: cfg,
      log,
      metrics,
      timing: { clock, relistIntervalMs: cfg.relistIntervalMs },
      ...(deps.informerSource ? { source: deps.informerSource } : {}),
    });
    closers.push(() => informers.stop());
    let trigger: Trigger | undefined;
    // The periodic resync lists SPIRE beside the passes; when it ends, a pass takes it over and acts on
    // what it found (an entry deleted or changed behind our back), not only at the next event.
    const entries = new CrdEntries({
      store: spire.entries,
      clock,
      resyncIntervalMs: cfg.resyncIntervalMs,
      intern,
      log,
      onListed: () => trigger?.fire(),
    });
    const events = kubeEventRecorder({ kubeConfig, sink: deps.eventSink, clock, log, metrics });
    closers.push(async () => events.stop());
    // Objects events changed since the last pass: a pass between full ones plans only their closed slice.
    const changes = createCrdChanges((r, key) => informers.get(r, key), SLICE_MARK_LIMIT);
    const runPass = createCrdPass({
      changes,
      store: spire.entries,
      entries,
      writer: deps.writer ?? kubeSpiffeIdWriter(kubeConfig, { project: informers.projectSpiffeId }),
      snapshot: informers.snapshot,
      config: { ...cfg, ...rules },
      templates: checked.templates,
      log,
      clock,
      // At least 30 s whatever resync_interval is (it may be 1 s): a watch lagging behind our own create
      // for longer than the window makes the pass take the entry it made for an orphan and delete it.
      createdVisibleWithinMs: Math.max(cfg.resyncIntervalMs, 30_000),
      metrics,
      recordEvent: (e) => events.record(e),
      again: () => trigger?.fire(),
    });

    // A burst of events shares one pass (with it one SPIRE batch per kind), as in reconcile mode.
    const burst = eventBatch(clock, deps.eventBatchMs ?? 5, () => trigger?.fire());
    informers.onChange((r, key) => {
      changes.mark(r, key);
      burst.add();
    });
    closers.push(async () => burst.cancel());
    // SPIRE back after an outage: a pass now rather than on the retry (its backoff may have grown).
    spire.onReconnect?.(() => {
      if (!trigger) return;
      log.info('SPIRE connection ready again; reconciling');
      // SPIRE may have restarted empty: plan from a fresh listing, not from what it held before.
      entries.invalidate();
      trigger.fire();
    });
    const startLeading = (signal: AbortSignal) => {
      // Another leader may have written meanwhile: a new term starts from a fresh listing.
      entries.invalidate();
      trigger = createTrigger({
        runPass: async () => {
          const end = metrics.reconcileDuration.startTimer({ controller: 'crd' });
          try {
            await runPass(signal);
            end({ result: 'success' });
          } catch (err) {
            end({ result: 'error' });
            throw err;
          }
        },
        resyncIntervalMs: cfg.resyncIntervalMs,
        clock,
        onError: (err, retryInMs) => log.error({ err, retryInMs }, 'CRD pass failed'),
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
    log.info('Informer caches synced');

    if (cfg.leaderElection) {
      if (!deps.leaderElection) throw new Error('leader election is enabled but no leader elector is wired');
      const elect = deps.leaderElection(cfg, kubeConfig, namespace);
      ctx.onReady?.();
      await elect({
        signal: ctx.signal,
        onStartedLeading: (signal) => {
          log.info('Started leading: reconciling SpiffeIDs');
          metrics.leader.set(1);
          startLeading(signal);
        },
        onStoppedLeading: () => {
          log.info('Stopped leading: no more writes to SPIRE');
          metrics.leader.set(0);
          return stopLeading();
        },
      });
    } else {
      startLeading(ctx.signal);
      ctx.onReady?.();
      await aborted(ctx.signal);
    }
    log.info('Shutting down crd mode');
  } finally {
    await closeAll();
  }
}

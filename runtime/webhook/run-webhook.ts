// Webhook mode's composition: SPIRE connection, health server, HTTPS admission server, start-up
// registration of the cluster node entry, the upkeep that keeps it registered (and, with webhook_resync,
// catches up pod entries), and an orderly shutdown when the context's signal aborts.
// Readiness: /readyz (plain HTTP on `health_addr`, off by default) and admissions answer 503 until the
// cluster node entry exists, because every pod entry is parented to it.
import type { KubeConfig } from '@kubernetes/client-node';
import type { EntryStore } from '../../adapters/entry-store.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import type { WebhookConfig } from '../config/registrar-config.js';
import type { BackoffOptions } from '../backoff.js';
import { systemClock, type Clock } from '../clock.js';
import { startHttpsServer, type HttpsServer } from '../https/https-server.js';
import type { ModeContext } from '../modes/mode-context.js';
import { createMetrics, spireCallRecorder } from '../observability/metrics.js';
import type { SpireCallObserver } from '../spire-connection.js';
import { startObservabilityServer, type ObservabilityServer } from '../observability/http-server.js';
import { createReadiness } from '../observability/readiness.js';
import { createAdmissionApp } from './admission-app.js';
import { ensureClusterNodeEntry } from './ensure-cluster-node-entry.js';
import { createPodAdmission } from './pod-admission.js';
import { aborted } from '../aborted.js';
import type { Informer } from '../kube/informer.js';
import type { InformerSource } from '../kube/list-watch-source.js';
import { throttle } from '../throttle.js';
import { createTrigger, type Trigger } from '../trigger.js';
import { createWebhookUpkeep, registerMissingNodeEntry } from './webhook-upkeep.js';

export type SpireConnection = {
  readonly entries: EntryStore;
  /** Tells when the channel is ready again after losing SPIRE (see adapters/spire/connect.ts). */
  onReconnect?(listener: () => void): () => void;
  close(): Promise<void>;
};

export type WebhookDeps = {
  readonly connect: (cfg: WebhookConfig, onCall: SpireCallObserver) => Promise<SpireConnection>;
  readonly clock?: Clock;
  /** Start-up retry delays; default 500 ms doubling to 30 s. */
  readonly backoff?: BackoffOptions;
  /** How often certificate files are checked for rotation; default 10 s. */
  readonly reloadIntervalMs?: number;
  /** Deadline of one SPIRE call sequence (an admission, a start-up attempt); default 3.5 s. */
  readonly spireTimeoutMs?: number;
  /** The pods to catch up from (webhook_resync = true); default: a pods informer on `kubeConfig()`. */
  readonly podSource?: () => InformerSource;
  /** May load the client lazily: only webhook_resync calls it. */
  readonly kubeConfig?: () => KubeConfig | Promise<KubeConfig>;
};

/** Least time between two node-entry checks asked for by DELETEs that found nothing. */
const NODE_CHECK_GAP_MS = 1000;
const notReadyReason = 'the cluster node entry is not registered in SPIRE yet';

export async function runWebhook(ctx: ModeContext<WebhookConfig>, deps: WebhookDeps): Promise<void> {
  const cfg = ctx.config;
  const log = ctx.logger.child({ component: 'webhook' });
  const spireTimeoutMs = deps.spireTimeoutMs ?? 3_500;
  const clock = deps.clock ?? systemClock;
  if (cfg.insecureSkipClientVerification) {
    log.warn('insecure_skip_client_verification is set: any client can call the webhook and change SPIRE entries');
  }

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      await close().catch((err: unknown) => log.error({ err }, 'Shutdown step failed'));
    }
  };
  try {
    const metrics = createMetrics();
    const spire = await deps.connect(cfg, spireCallRecorder(metrics));
    closers.push(() => spire.close());

    let ready = false;
    const readiness = createReadiness();
    const nodeEntryCheck = readiness.flag('cluster node entry');
    const health: ObservabilityServer | undefined = await startObservabilityServer({
      addr: cfg.healthAddr,
      metrics,
      readiness,
      log,
    });
    if (health) closers.push(() => health.close());

    // Upkeep passes (node entry, catch-up) and quick node-entry checks, each single-flight; created once
    // the node entry is first registered, so until then nothing fires them.
    let upkeep: Trigger | undefined;
    let nodeCheck: Trigger | undefined;
    const app = createAdmissionApp({
      review: createPodAdmission({
        store: spire.entries,
        config: cfg,
        log,
        counters: metrics,
        spireTimeoutMs,
        // Most such DELETEs are the kubelet's final one after the user's: one node-entry check a second at most.
        onNothingToDelete: throttle(() => nodeCheck?.fire(), NODE_CHECK_GAP_MS, clock),
      }),
      isReady: () => ready,
      notReadyReason,
      logger: log,
    });
    const server: HttpsServer = await startHttpsServer({
      app,
      addr: cfg.addr,
      certPath: cfg.certPath,
      keyPath: cfg.keyPath,
      caPath: cfg.cacertPath,
      requireClientCert: !cfg.insecureSkipClientVerification,
      logger: log,
      ...(deps.reloadIntervalMs !== undefined ? { reloadIntervalMs: deps.reloadIntervalMs } : {}),
    });
    closers.push(() => server.close());
    log.info({ addr: cfg.addr, port: server.port }, 'Serving admission webhook');

    const ensured = await ensureClusterNodeEntry({
      store: spire.entries,
      config: cfg,
      log,
      counters: metrics,
      clock,
      backoff: deps.backoff ?? { minMs: 500, maxMs: 30_000 },
      signal: ctx.signal,
      attemptTimeoutMs: spireTimeoutMs,
    });
    if (ensured) {
      ready = true;
      nodeEntryCheck.set(true);
      const pods = cfg.webhookResync ? await podInformer(cfg, deps, log) : undefined;
      if (pods) {
        closers.push(() => pods.stop());
        pods.start();
      }
      const retry = { minMs: Math.min(500, cfg.resyncIntervalMs), maxMs: cfg.resyncIntervalMs };
      const runUpkeep = createWebhookUpkeep({ store: spire.entries, config: cfg, log, counters: metrics, ...(pods ? { pods } : {}) });
      const u = createTrigger({
        runPass: async () => void (await runUpkeep(ctx.signal)),
        resyncIntervalMs: cfg.resyncIntervalMs,
        backoff: retry,
        clock,
        onError: (err, retryInMs) => {
          if (!ctx.signal.aborted) log.error({ err, retryInMs }, 'Webhook upkeep failed');
        },
      });
      const n = createTrigger({
        runPass: async () => void (await registerMissingNodeEntry({ store: spire.entries, config: cfg, log, counters: metrics }, ctx.signal)),
        backoff: retry,
        clock,
        onError: (err) => {
          if (!ctx.signal.aborted) log.warn({ err }, 'Cannot check the cluster node entry');
        },
      });
      [upkeep, nodeCheck] = [u, n];
      closers.push(async () => {
        await Promise.all([u.stop(), n.stop()]);
      });
      spire.onReconnect?.(() => {
        log.info('SPIRE connection ready again; checking the cluster node entry');
        u.fire();
      });
      // With the catch-up, its first pass lists pods and entries now (pods admitted while the webhook was
      // down); without it, the node entry was just registered and the first check waits one interval.
      if (pods) u.fire();
      else u.fireIn(cfg.resyncIntervalMs);
      log.info({ webhook_resync: cfg.webhookResync, resync_interval_ms: cfg.resyncIntervalMs }, 'Webhook ready');
      ctx.onReady?.();
      await aborted(ctx.signal);
    }
    log.info('Shutting down webhook');
  } finally {
    await closeAll();
  }
}

/** Loads the Kubernetes client only here, with webhook_resync (webhook-pod-informer.ts says why). */
async function podInformer(cfg: WebhookConfig, deps: WebhookDeps, log: ModeContext['logger']): Promise<Informer<Pod>> {
  const { webhookPodInformer } = await import('./webhook-pod-informer.js');
  const podSource = deps.podSource?.();
  const kubeConfig = podSource ? undefined : await deps.kubeConfig?.();
  return webhookPodInformer(cfg, { ...(podSource ? { podSource } : {}), ...(kubeConfig ? { kubeConfig } : {}) }, log);
}

// Webhook mode's composition: SPIRE connection, health server, HTTPS admission server, start-up
// registration of the cluster node entry, and an orderly shutdown when the context's signal aborts.
// Readiness: /readyz (plain HTTP on `health_addr`, off by default) and admissions answer 503 until the
// cluster node entry exists, because every pod entry is parented to it.
import type { EntryStore } from '../../adapters/entry-store.js';
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

export type SpireConnection = { readonly entries: EntryStore; close(): Promise<void> };

export type WebhookDeps = {
  readonly connect: (cfg: WebhookConfig, onCall: SpireCallObserver) => Promise<SpireConnection>;
  readonly clock?: Clock;
  /** Start-up retry delays; default 500 ms doubling to 30 s. */
  readonly backoff?: BackoffOptions;
  /** How often certificate files are checked for rotation; default 10 s. */
  readonly reloadIntervalMs?: number;
  /** Deadline of one SPIRE call sequence (an admission, a start-up attempt); default 8 s. */
  readonly spireTimeoutMs?: number;
};

const notReadyReason = 'the cluster node entry is not registered in SPIRE yet';

export async function runWebhook(ctx: ModeContext<WebhookConfig>, deps: WebhookDeps): Promise<void> {
  const cfg = ctx.config;
  const log = ctx.logger.child({ component: 'webhook' });
  const spireTimeoutMs = deps.spireTimeoutMs ?? 8_000;
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

    const app = createAdmissionApp({
      review: createPodAdmission({ store: spire.entries, config: cfg, log, counters: metrics, spireTimeoutMs }),
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
      clock: deps.clock ?? systemClock,
      backoff: deps.backoff ?? { minMs: 500, maxMs: 30_000 },
      signal: ctx.signal,
      attemptTimeoutMs: spireTimeoutMs,
    });
    if (ensured) {
      ready = true;
      nodeEntryCheck.set(true);
      log.info('Webhook ready');
      ctx.onReady?.();
      await aborted(ctx.signal);
    }
    log.info('Shutting down webhook');
  } finally {
    await closeAll();
  }
}

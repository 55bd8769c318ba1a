// The registrar inside the sandbox: the mode's own composition (runWebhook / runReconcile / runCrd)
// with the production SPIRE client, given the sandbox's Kubernetes client configuration and the
// namespace the tutorial deploys it to (spire), as the kubelet would through the service account.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { RegistrarConfig } from '../config/registrar-config.js';
import { runCrd } from '../crd/run-crd.js';
import { run as runWebhookMode } from '../modes/webhook.js';
import { runReconcile } from '../reconcile/run-reconcile.js';
import { connectRegistrarSpire, type SpireCallObserver } from '../spire-connection.js';

export const REGISTRAR_NAMESPACE = 'spire';

export type SandboxRegistrar = {
  /** Resolves when the mode reported ready; rejects if it stopped before. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
};

export function startSandboxRegistrar(config: RegistrarConfig, logger: Logger, kubeConfig: () => KubeConfig): SandboxRegistrar {
  const abort = new AbortController();
  let onReady = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const ctx = { logger, signal: abort.signal, onReady: () => (logger.info('Ready'), onReady()) };
  const connect = (cfg: RegistrarConfig, onCall: SpireCallObserver) => connectRegistrarSpire(cfg, logger, onCall);
  logger.info({ mode: config.mode }, 'Starting k8s-workload-registrar');
  let done: Promise<void>;
  switch (config.mode) {
    case 'webhook':
      done = runWebhookMode({ ...ctx, config });
      break;
    case 'reconcile':
      done = runReconcile({ ...ctx, config }, { connect, kubeConfig, namespace: REGISTRAR_NAMESPACE });
      break;
    case 'crd':
      done = runCrd({ ...ctx, config }, { connect, kubeConfig, namespace: REGISTRAR_NAMESPACE });
      break;
  }
  const settled = done.then(
    () => logger.info('Stopped'),
    (err: unknown) => {
      logger.fatal({ err }, 'Registrar failed');
      throw err;
    },
  );
  return {
    ready: Promise.race([ready, settled.then(() => Promise.reject(new Error('the registrar stopped before it was ready')))]),
    async stop() {
      abort.abort();
      await settled.catch(() => {});
    },
  };
}

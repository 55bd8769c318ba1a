// Webhook mode's entry point for runtime/run.ts: the production SPIRE connection (and, for
// webhook_resync, the Kubernetes client configuration) plugged into runtime/webhook/run-webhook.ts.
import type { WebhookConfig } from '../config/registrar-config.js';
import { connectRegistrarSpire } from '../spire-connection.js';
import { runWebhook } from '../webhook/run-webhook.js';
import type { ModeRunner } from './mode-context.js';

/** `timeoutSeconds` of the ValidatingWebhookConfiguration in deploy/webhook (a test keeps them in step). */
export const admissionTimeoutSeconds = 5;

/**
 * SPIRE calls of one admission end this long before the API server stops waiting, so that a slow SPIRE
 * gets a clear 500 from us (and its call cancelled) rather than an API server timeout with the call
 * possibly still running: the margin covers TLS, queueing and the answer's way back.
 */
export const admissionMarginMs = 1_500;

export const spireTimeoutMs = admissionTimeoutSeconds * 1000 - admissionMarginMs;

/**
 * The Entry API client on a Unix socket: the lean http2 one (docs/adr/0008), unless this environment
 * variable says `grpc-js`, a way back without a new release should the lean client misbehave somewhere
 * (and how the bench compares the two).
 */
export const spireClientEnv = 'K8S_WORKLOAD_REGISTRAR_SPIRE_CLIENT';

export function webhookSpireTransport(env: NodeJS.ProcessEnv = process.env): 'grpc-js' | 'http2' {
  return env[spireClientEnv] === 'grpc-js' ? 'grpc-js' : 'http2';
}

export const run: ModeRunner<WebhookConfig> = (ctx) =>
  runWebhook(ctx, {
    spireTimeoutMs,
    connect: (cfg, onCall) => connectRegistrarSpire(cfg, ctx.logger, onCall, spireTimeoutMs, webhookSpireTransport()),
    // Imported when called (webhook_resync only): without the catch-up, webhook mode never loads the Kubernetes client.
    kubeConfig: async () => (await import('../kube/kube-config.js')).loadKubeConfig({ log: ctx.logger.child({ component: 'kube' }) }).kubeConfig,
  });

// Webhook mode's entry point for runtime/run.ts: the production SPIRE connection plugged into
// runtime/webhook/run-webhook.ts.
import type { WebhookConfig } from '../config/registrar-config.js';
import { connectRegistrarSpire } from '../spire-connection.js';
import { runWebhook } from '../webhook/run-webhook.js';
import type { ModeRunner } from './mode-context.js';

/** SPIRE calls of one admission must finish well inside the API server's webhook timeout (10 s). */
const spireTimeoutMs = 8_000;

export const run: ModeRunner<WebhookConfig> = (ctx) =>
  runWebhook(ctx, {
    spireTimeoutMs,
    connect: (cfg, onCall) => connectRegistrarSpire(cfg, ctx.logger, onCall, spireTimeoutMs),
  });

// Reconcile mode's entry point for runtime/run.ts: the production SPIRE connection and Kubernetes client
// configuration plugged into runtime/reconcile/run-reconcile.ts.
import type { ReconcileConfig } from '../config/registrar-config.js';
import { loadKubeConfig } from '../kube/kube-config.js';
import { runReconcile } from '../reconcile/run-reconcile.js';
import { connectRegistrarSpire } from '../spire-connection.js';
import type { ModeRunner } from './mode-context.js';

export const run: ModeRunner<ReconcileConfig> = (ctx) =>
  runReconcile(ctx, {
    connect: (cfg, onCall) => connectRegistrarSpire(cfg, ctx.logger, onCall),
    kubeConfig: () => loadKubeConfig({ log: ctx.logger.child({ component: 'kube' }) }).kubeConfig,
  });

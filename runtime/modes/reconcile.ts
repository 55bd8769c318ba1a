// Reconcile mode's entry point for runtime/run.ts: the production SPIRE connection and Kubernetes client
// configuration plugged into runtime/reconcile/run-reconcile.ts.
import { connectSpire } from '../../adapters/spire/connect.js';
import type { ReconcileConfig } from '../config/registrar-config.js';
import { loadKubeConfig } from '../kube/kube-config.js';
import { runReconcile } from '../reconcile/run-reconcile.js';
import type { ModeRunner } from './mode-context.js';

export const run: ModeRunner<ReconcileConfig> = (ctx) =>
  runReconcile(ctx, {
    connect: (cfg) =>
      connectSpire({
        serverAddress: cfg.serverAddress,
        trustDomain: cfg.trustDomain,
        ...(cfg.agentSocketPath ? { agentSocketPath: cfg.agentSocketPath } : {}),
        logger: ctx.logger.child({ component: 'spire' }),
      }),
    kubeConfig: () => loadKubeConfig({ log: ctx.logger.child({ component: 'kube' }) }).kubeConfig,
  });

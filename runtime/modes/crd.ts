// Crd mode's entry point for runtime/run.ts: the production SPIRE connection, Kubernetes client
// configuration and Lease-based leader election plugged into runtime/crd/run-crd.ts.
import type { CrdConfig } from '../config/registrar-config.js';
import { runCrd } from '../crd/run-crd.js';
import { loadKubeConfig } from '../kube/kube-config.js';
import { kubeLeaseClient } from '../kube/lease-client.js';
import { leaderIdentity, runLeaderElection } from '../kube/leader-election.js';
import { connectRegistrarSpire } from '../spire-connection.js';
import type { ModeRunner } from './mode-context.js';

/** The Lease the original crd mode's controller-runtime manager held, so old and new replicas exclude each other. */
export const CRD_LEADER_ELECTION_LEASE = 'spire-k8s-registrar-leader-election';

export const run: ModeRunner<CrdConfig> = (ctx) =>
  runCrd(ctx, {
    connect: (cfg, onCall) => connectRegistrarSpire(cfg, ctx.logger, onCall),
    kubeConfig: () => loadKubeConfig({ log: ctx.logger.child({ component: 'kube' }) }).kubeConfig,
    leaderElection: (cfg, kubeConfig, namespace) => (callbacks) =>
      runLeaderElection({
        leaseDurationMs: cfg.leaseDurationMs,
        renewDeadlineMs: cfg.renewDeadlineMs,
        retryPeriodMs: cfg.retryPeriodMs,
        client: kubeLeaseClient(kubeConfig, namespace, CRD_LEADER_ELECTION_LEASE),
        identity: leaderIdentity(),
        log: ctx.logger.child({ component: 'leader-election' }),
        ...callbacks,
      }),
  });

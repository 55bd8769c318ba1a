// The mode-specific halves of the configuration, with the original's defaults (config_webhook.go,
// config_reconcile.go, config_crd.go) and its checks. crd mode's templates are checked by the crd
// handlers' own checkCrdTemplates (the same check crd mode runs at start-up), so `validate` reports them too.
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { defaults } from './config-keys.js';
import type { ConfigReader } from './config-reader.js';
import type { CommonConfig, CrdConfig, LeaderElectionConfig, ReconcileConfig, WebhookConfig } from './registrar-config.js';

export function webhookConfig(r: ConfigReader, common: CommonConfig): WebhookConfig {
  const d = defaults.webhook;
  return {
    ...common,
    mode: 'webhook',
    addr: r.str('addr') ?? d.addr,
    certPath: r.str('cert_path') ?? d.certPath,
    keyPath: r.str('key_path') ?? d.keyPath,
    cacertPath: r.str('cacert_path') ?? d.cacertPath,
    insecureSkipClientVerification: r.bool('insecure_skip_client_verification') ?? d.insecureSkipClientVerification,
    healthAddr: r.str('health_addr') ?? d.healthAddr,
    webhookResync: r.bool('webhook_resync') ?? d.webhookResync,
    resyncIntervalMs: resyncInterval(r),
  };
}

export function reconcileConfig(r: ConfigReader, common: CommonConfig): ReconcileConfig {
  const d = defaults.reconcile;
  return {
    ...common,
    ...leaderElection(r),
    mode: 'reconcile',
    controllerName: r.str('controller_name') ?? d.controllerName,
    addPodDnsNames: r.bool('add_pod_dns_names') ?? d.addPodDnsNames,
    clusterDnsZone: r.str('cluster_dns_zone') ?? d.clusterDnsZone,
    metricsAddr: r.str('metrics_addr') ?? d.metricsAddr,
    resyncIntervalMs: resyncInterval(r),
    relistIntervalMs: relistInterval(r),
  };
}

export function crdConfig(r: ConfigReader, common: CommonConfig): CrdConfig {
  const d = defaults.crd;
  const identityTemplate = r.str('identity_template');
  const identityTemplateLabel = r.str('identity_template_label');
  if (identityTemplate !== undefined && (common.podLabel !== undefined || common.podAnnotation !== undefined)) {
    r.error(
      'identity_template',
      'workload registration configuration is incorrect, can only use one of identity_template, pod_annotation, or pod_label',
    );
  }
  // The original treated webhook_port = 0 as unset.
  const port = r.int('webhook_port') || d.webhookPort;
  if (port < 1 || port > 65535) r.error('webhook_port', `webhook_port: must be between 1 and 65535, got ${port}`);
  const config: CrdConfig = {
    ...common,
    ...leaderElection(r),
    mode: 'crd',
    podController: r.bool('pod_controller') ?? d.podController,
    addSvcDnsName: r.bool('add_svc_dns_name') ?? d.addSvcDnsName,
    ...(identityTemplate !== undefined ? { identityTemplate } : {}),
    ...(identityTemplateLabel !== undefined ? { identityTemplateLabel } : {}),
    context: r.map('context') ?? {},
    dnsNameTemplates: r.list('dns_name_templates') ?? [...d.dnsNameTemplates],
    webhookEnabled: r.bool('webhook_enabled') ?? d.webhookEnabled,
    webhookPort: port,
    webhookCertDir: r.str('webhook_cert_dir') ?? d.webhookCertDir,
    webhookServiceName: r.str('webhook_service_name') ?? d.webhookServiceName,
    metricsBindAddr: r.str('metrics_bind_addr') ?? d.metricsBindAddr,
    resyncIntervalMs: resyncInterval(r),
    relistIntervalMs: relistInterval(r),
    clusterDnsZone: r.str('cluster_dns_zone') ?? d.clusterDnsZone,
    spiffeidPolicy: spiffeIdPolicy(r),
    spiffeidAllowedDnsSuffixes: dnsSuffixes(r),
  };
  const templates = checkCrdTemplates(config);
  if (!templates.ok) r.error(/dns/i.test(templates.error) ? 'dns_name_templates' : 'identity_template', templates.error);
  return config;
}

const POLICIES = ['namespace', 'open'] as const;

function spiffeIdPolicy(r: ConfigReader): CrdConfig['spiffeidPolicy'] {
  const value = r.str('spiffeid_policy') ?? defaults.crd.spiffeidPolicy;
  if ((POLICIES as readonly string[]).includes(value)) return value as CrdConfig['spiffeidPolicy'];
  r.error('spiffeid_policy', `spiffeid_policy: must be "namespace" or "open", got ${JSON.stringify(value)}`);
  return defaults.crd.spiffeidPolicy;
}

/** Suffixes are DNS names (a leading dot is allowed); a wildcard would grant every name below it anyway. */
function dnsSuffixes(r: ConfigReader): readonly string[] {
  const list = r.list('spiffeid_allowed_dns_suffixes') ?? [];
  for (const suffix of list) {
    if (!/^\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(suffix)) {
      r.error('spiffeid_allowed_dns_suffixes', `spiffeid_allowed_dns_suffixes: ${JSON.stringify(suffix)} is not a DNS name suffix`);
    }
  }
  return list;
}

// Lock types: client-go's "leases", and the migration multilocks "endpointsleases"/"configmapsleases",
// which hold a Lease of the same name as well; taking only that Lease therefore still excludes a replica
// of the original holding the multilock. The plain "configmaps" lock is refused with the original's
// message (config_reconcile.go / config_crd.go Run); we say the same of the plain "endpoints" lock.
const MULTILOCKS = ['endpointsleases', 'configmapsleases'];
const REMOVED_LOCKS = ['configmaps', 'endpoints'];

function leaderElection(r: ConfigReader): LeaderElectionConfig {
  const enabled = r.bool('leader_election') ?? defaults.leaderElection;
  const lock = r.str('leader_election_resource_lock') ?? defaults.leaderElectionResourceLock;
  if (lock !== 'leases') {
    if (!enabled) {
      r.warn('leader_election_resource_lock', `leader_election_resource_lock "${lock}" is ignored because leader_election is false`);
    } else if (MULTILOCKS.includes(lock)) {
      r.warn('leader_election_resource_lock', `leader_election_resource_lock "${lock}": only its Lease part is used (as "leases")`);
    } else if (REMOVED_LOCKS.includes(lock)) {
      r.error('leader_election_resource_lock', `the "${lock}" leader election resource lock type is no longer supported`);
    } else {
      r.error(
        'leader_election_resource_lock',
        `leader_election_resource_lock: invalid lock type "${lock}", valid values are leases, endpointsleases and configmapsleases`,
      );
    }
  }
  return { leaderElection: enabled, leaderElectionResourceLock: 'leases', ...leaderTiming(r) };
}

/**
 * Lease timings with client-go's rules (leaderelection.NewLeaderElector): the lease outlives the renew
 * deadline, and the renew deadline leaves room for a jittered retry (factor 1.2) before it passes.
 */
function leaderTiming(r: ConfigReader): Pick<LeaderElectionConfig, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'> {
  const read = (key: 'leader_election_lease_duration' | 'leader_election_renew_deadline' | 'leader_election_retry_period', fallback: number) => {
    const ms = r.duration(key);
    if (ms === undefined) return fallback;
    if (ms < 1) r.error(key, `${key}: must be at least 1ms`);
    return Math.round(ms);
  };
  const leaseDurationMs = read('leader_election_lease_duration', defaults.leaseDurationMs);
  const renewDeadlineMs = read('leader_election_renew_deadline', defaults.renewDeadlineMs);
  const retryPeriodMs = read('leader_election_retry_period', defaults.retryPeriodMs);
  if (leaseDurationMs <= renewDeadlineMs) {
    r.error('leader_election_lease_duration', 'leader_election_lease_duration must be greater than leader_election_renew_deadline');
  } else if (renewDeadlineMs <= 1.2 * retryPeriodMs) {
    r.error('leader_election_renew_deadline', 'leader_election_renew_deadline must be greater than 1.2 x leader_election_retry_period');
  }
  return { leaseDurationMs, renewDeadlineMs, retryPeriodMs };
}

function resyncInterval(r: ConfigReader): number {
  const ms = r.duration('resync_interval');
  if (ms === undefined) return defaults.resyncIntervalMs;
  if (ms < 1) r.error('resync_interval', 'resync_interval: must be at least 1ms');
  return Math.round(ms);
}

// The informers' periodic re-list (controller-runtime's SyncPeriod idea): a backstop for a change a watch
// never delivered. Each re-list reads the whole collection, so less than a second is refused.
function relistInterval(r: ConfigReader): number {
  const ms = r.duration('relist_interval');
  if (ms === undefined) return defaults.relistIntervalMs;
  if (ms < 1000) r.error('relist_interval', 'relist_interval: must be at least 1s');
  return Math.round(ms);
}

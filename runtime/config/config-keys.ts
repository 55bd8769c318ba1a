// Every HCL key the registrar understands, the kind of value it takes and the modes that read it.
// Names, kinds and defaults follow the original registrar's config.go, config_webhook.go,
// config_reconcile.go and config_crd.go (spiffe/spire before #3853); health_addr, resync_interval,
// relist_interval, webhook_resync and the leader_election_* timings are this project's additions.
// parse-config.ts applies the defaults; format-config.ts prints in this order.
import type { Mode } from './registrar-config.js';

// 'name': a string and nothing else. The names an identity is built from (trust_domain, cluster) are
// not coerced from numbers or bools as other strings are: `cluster = true` is a mistake, not a name.
export type KeyKind = 'string' | 'name' | 'bool' | 'int' | 'stringList' | 'stringMap' | 'duration';

export type KeySpec = {
  readonly kind: KeyKind;
  /** 'all' for the common keys, else the modes whose configuration has this key. */
  readonly modes: 'all' | readonly Mode[];
};

const common = { modes: 'all' } as const;
const webhook: readonly Mode[] = ['webhook'];
const reconcile: readonly Mode[] = ['reconcile'];
const crd: readonly Mode[] = ['crd'];
const controllers: readonly Mode[] = ['reconcile', 'crd'];

export const configKeys = {
  mode: { kind: 'string', ...common },
  log_level: { kind: 'string', ...common },
  log_format: { kind: 'string', ...common },
  log_path: { kind: 'string', ...common },
  trust_domain: { kind: 'name', ...common },
  server_socket_path: { kind: 'string', ...common },
  server_address: { kind: 'string', ...common },
  agent_socket_path: { kind: 'string', ...common },
  cluster: { kind: 'name', ...common },
  pod_label: { kind: 'string', ...common },
  pod_annotation: { kind: 'string', ...common },
  disabled_namespaces: { kind: 'stringList', ...common },

  addr: { kind: 'string', modes: webhook },
  cert_path: { kind: 'string', modes: webhook },
  key_path: { kind: 'string', modes: webhook },
  cacert_path: { kind: 'string', modes: webhook },
  insecure_skip_client_verification: { kind: 'bool', modes: webhook },
  health_addr: { kind: 'string', modes: webhook },
  webhook_resync: { kind: 'bool', modes: webhook },

  controller_name: { kind: 'string', modes: reconcile },
  add_pod_dns_names: { kind: 'bool', modes: reconcile },
  cluster_dns_zone: { kind: 'string', modes: controllers },
  metrics_addr: { kind: 'string', modes: reconcile },

  pod_controller: { kind: 'bool', modes: crd },
  add_svc_dns_name: { kind: 'bool', modes: crd },
  identity_template: { kind: 'string', modes: crd },
  identity_template_label: { kind: 'string', modes: crd },
  context: { kind: 'stringMap', modes: crd },
  dns_name_templates: { kind: 'stringList', modes: crd },
  webhook_enabled: { kind: 'bool', modes: crd },
  webhook_port: { kind: 'int', modes: crd },
  webhook_cert_dir: { kind: 'string', modes: crd },
  webhook_service_name: { kind: 'string', modes: crd },
  metrics_bind_addr: { kind: 'string', modes: crd },
  spiffeid_policy: { kind: 'string', modes: crd },
  spiffeid_allowed_dns_suffixes: { kind: 'stringList', modes: crd },

  leader_election: { kind: 'bool', modes: controllers },
  leader_election_resource_lock: { kind: 'string', modes: controllers },
  leader_election_lease_duration: { kind: 'duration', modes: controllers },
  leader_election_renew_deadline: { kind: 'duration', modes: controllers },
  leader_election_retry_period: { kind: 'duration', modes: controllers },
  resync_interval: { kind: 'duration', ...common },
  relist_interval: { kind: 'duration', modes: controllers },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof configKeys;

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(configKeys, key);
}

/** Keys valid in `mode`, or in any mode when the mode itself is invalid. */
export function keysForMode(mode: Mode | undefined): ConfigKey[] {
  return (Object.keys(configKeys) as ConfigKey[]).filter((k) => {
    const modes: KeySpec['modes'] = configKeys[k].modes;
    return mode === undefined || modes === 'all' || modes.includes(mode);
  });
}

/** The modes other than `mode` that know `key` (for "belongs to ... mode" warnings). */
export function otherModesOf(key: ConfigKey, mode: Mode): Mode[] {
  const modes: KeySpec['modes'] = configKeys[key].modes;
  return modes === 'all' ? [] : modes.filter((m) => m !== mode);
}

export const defaults = {
  logLevel: 'info',
  logFormat: 'text',
  mode: 'webhook',
  disabledNamespaces: ['kube-system', 'kube-public'],
  webhook: {
    addr: ':8443',
    certPath: 'cert.pem',
    keyPath: 'key.pem',
    cacertPath: 'cacert.pem',
    insecureSkipClientVerification: false,
    // Off unless asked for: the original had no health port, and the registrar shares the pod's network
    // namespace with the SPIRE server (8081 gRPC, 8080 health), so any default port risks a clash that
    // would crash-loop a drop-in swap. deploy/webhook sets ":8444" for its probes.
    healthAddr: '0',
    webhookResync: false,
  },
  reconcile: {
    controllerName: 'spire-k8s-registrar',
    addPodDnsNames: false,
    clusterDnsZone: 'cluster.local',
    metricsAddr: ':8080',
  },
  crd: {
    podController: true,
    addSvcDnsName: true,
    dnsNameTemplates: ['{{.Pod.Name}}'],
    webhookEnabled: false,
    webhookPort: 9443,
    webhookCertDir: '/run/spire/serving-certs',
    webhookServiceName: 'k8s-workload-registrar',
    metricsBindAddr: ':8080',
    clusterDnsZone: 'cluster.local',
    spiffeidPolicy: 'namespace',
    spiffeidAllowedDnsSuffixes: [],
  },
  leaderElection: false,
  leaderElectionResourceLock: 'leases',
  // controller-runtime's manager defaults (pkg/manager: LeaseDuration, RenewDeadline, RetryPeriod).
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  resyncIntervalMs: 10_000,
  relistIntervalMs: 3_600_000,
} as const;

// The effective configuration after HCL parsing, validation and defaults. HCL keys are snake_case
// (drop-in compatible with the original registrar); here they are camelCase. Handlers never import this
// file: each declares the narrow slice it needs with the same field names, so a RegistrarConfig fits.

export type LogLevel = 'panic' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export type CommonConfig = {
  readonly logLevel: LogLevel;
  readonly logFormat: 'text' | 'json';
  readonly logPath?: string;
  readonly trustDomain: string;
  /** `unix:///path` for a local socket (set from server_socket_path), or `host:port` for TCP + mTLS. */
  readonly serverAddress: string;
  readonly agentSocketPath?: string;
  readonly cluster: string;
  readonly podLabel?: string;
  readonly podAnnotation?: string;
  readonly disabledNamespaces: readonly string[];
};

export type WebhookConfig = CommonConfig & {
  readonly mode: 'webhook';
  readonly addr: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly cacertPath: string;
  readonly insecureSkipClientVerification: boolean;
  /** health_addr (our addition; default "0", off): plain-HTTP listener for /healthz and /readyz; "0" disables. */
  readonly healthAddr: string;
  /**
   * webhook_resync (our addition; default false): list pods at start-up and every resync interval and
   * bring the entries under the cluster node entry in line (needs list/watch on pods).
   */
  readonly webhookResync: boolean;
  /** resync_interval (our addition; default "10s"): how often the cluster node entry is checked (and the catch-up runs). */
  readonly resyncIntervalMs: number;
};

export type LeaderElectionConfig = {
  readonly leaderElection: boolean;
  /** Always "leases": the multilocks "endpointsleases"/"configmapsleases" are read as their Lease part. */
  readonly leaderElectionResourceLock: 'leases';
  /** leader_election_lease_duration (our addition; default "15s", controller-runtime's LeaseDuration). */
  readonly leaseDurationMs: number;
  /** leader_election_renew_deadline (our addition; default "10s", controller-runtime's RenewDeadline). */
  readonly renewDeadlineMs: number;
  /** leader_election_retry_period (our addition; default "2s", controller-runtime's RetryPeriod). */
  readonly retryPeriodMs: number;
};

export type ReconcileConfig = CommonConfig &
  LeaderElectionConfig & {
    readonly mode: 'reconcile';
    readonly controllerName: string;
    readonly addPodDnsNames: boolean;
    readonly clusterDnsZone: string;
    readonly metricsAddr: string;
    /** resync_interval (our addition; Go duration, default "10s"): full resync period in milliseconds. */
    readonly resyncIntervalMs: number;
    /** relist_interval (our addition; default "1h"): how often each informer re-lists the API server. */
    readonly relistIntervalMs: number;
  };

export type CrdConfig = CommonConfig &
  LeaderElectionConfig & {
    readonly mode: 'crd';
    readonly podController: boolean;
    readonly addSvcDnsName: boolean;
    readonly identityTemplate?: string;
    readonly identityTemplateLabel?: string;
    readonly context: Readonly<Record<string, string>>;
    readonly dnsNameTemplates: readonly string[];
    readonly webhookEnabled: boolean;
    readonly webhookPort: number;
    readonly webhookCertDir: string;
    readonly webhookServiceName: string;
    readonly metricsBindAddr: string;
    /** Full resync period in milliseconds. */
    readonly resyncIntervalMs: number;
    /** relist_interval: how often each informer re-lists the API server, in milliseconds. */
    readonly relistIntervalMs: number;
    /** `<svc>.<ns>.svc.<zone>` DNS names count as a namespace's own under the namespace policy. */
    readonly clusterDnsZone: string;
    /** "namespace" (default): SpiffeIDs users write are confined to their namespace; "open": the original's rules. */
    readonly spiffeidPolicy: 'namespace' | 'open';
    /** DNS suffixes every namespace's SpiffeIDs may use under the namespace policy. */
    readonly spiffeidAllowedDnsSuffixes: readonly string[];
  };

export type RegistrarConfig = WebhookConfig | ReconcileConfig | CrdConfig;
export type Mode = RegistrarConfig['mode'];

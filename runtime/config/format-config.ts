// The effective configuration as HCL, for `validate`: every key with its value after defaults, in the
// key table's order, so it can be read by a person and also used as a config file as it is (parsing
// the output gives the same configuration). server_socket_path appears folded into server_address.
import { formatGoDuration } from './go-duration.js';
import type { RegistrarConfig } from './registrar-config.js';

type HclValue = string | number | boolean | readonly string[] | Readonly<Record<string, string>> | { readonly duration: number };

export function effectiveSettings(c: RegistrarConfig): [string, HclValue][] {
  const out: [string, HclValue | undefined][] = [
    ['mode', c.mode],
    ['log_level', c.logLevel],
    ['log_format', c.logFormat],
    ['log_path', c.logPath],
    ['trust_domain', c.trustDomain],
    ['server_address', c.serverAddress],
    ['agent_socket_path', c.agentSocketPath],
    ['cluster', c.cluster],
    ['pod_label', c.podLabel],
    ['pod_annotation', c.podAnnotation],
    ['disabled_namespaces', c.disabledNamespaces],
  ];
  switch (c.mode) {
    case 'webhook':
      out.push(
        ['addr', c.addr],
        ['cert_path', c.certPath],
        ['key_path', c.keyPath],
        ['cacert_path', c.cacertPath],
        ['insecure_skip_client_verification', c.insecureSkipClientVerification],
        ['health_addr', c.healthAddr],
        ['webhook_resync', c.webhookResync],
        ['resync_interval', { duration: c.resyncIntervalMs }],
      );
      break;
    case 'reconcile':
      out.push(
        ['controller_name', c.controllerName],
        ['add_pod_dns_names', c.addPodDnsNames],
        ['cluster_dns_zone', c.clusterDnsZone],
        ['metrics_addr', c.metricsAddr],
        ['leader_election', c.leaderElection],
        ['leader_election_resource_lock', c.leaderElectionResourceLock],
        ['leader_election_lease_duration', { duration: c.leaseDurationMs }],
        ['leader_election_renew_deadline', { duration: c.renewDeadlineMs }],
        ['leader_election_retry_period', { duration: c.retryPeriodMs }],
        ['resync_interval', { duration: c.resyncIntervalMs }],
        ['relist_interval', { duration: c.relistIntervalMs }],
      );
      break;
    case 'crd':
      out.push(
        ['pod_controller', c.podController],
        ['add_svc_dns_name', c.addSvcDnsName],
        ['identity_template', c.identityTemplate],
        ['identity_template_label', c.identityTemplateLabel],
        ['context', c.context],
        ['dns_name_templates', c.dnsNameTemplates],
        ['webhook_enabled', c.webhookEnabled],
        ['webhook_port', c.webhookPort],
        ['webhook_cert_dir', c.webhookCertDir],
        ['webhook_service_name', c.webhookServiceName],
        ['metrics_bind_addr', c.metricsBindAddr],
        ['cluster_dns_zone', c.clusterDnsZone],
        ['spiffeid_policy', c.spiffeidPolicy],
        ['spiffeid_allowed_dns_suffixes', c.spiffeidAllowedDnsSuffixes],
        ['leader_election', c.leaderElection],
        ['leader_election_resource_lock', c.leaderElectionResourceLock],
        ['leader_election_lease_duration', { duration: c.leaseDurationMs }],
        ['leader_election_renew_deadline', { duration: c.renewDeadlineMs }],
        ['leader_election_retry_period', { duration: c.retryPeriodMs }],
        ['resync_interval', { duration: c.resyncIntervalMs }],
        ['relist_interval', { duration: c.relistIntervalMs }],
      );
      break;
  }
  return out.filter((kv): kv is [string, HclValue] => kv[1] !== undefined);
}

export function formatConfigHcl(c: RegistrarConfig): string {
  return effectiveSettings(c)
    .map(([key, value]) => `${key} = ${hclValue(value)}\n`)
    .join('');
}

function hclValue(value: HclValue): string {
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(hclString).join(', ')}]`;
  if ('duration' in value && typeof value.duration === 'number') return hclString(formatGoDuration(value.duration));
  const entries = Object.entries(value as Record<string, string>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `  ${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : hclString(k)} = ${hclString(v)}\n`).join('')}}`;
}

/**
 * A quoted HCL string. Template escapes (`$${`, `%%{`) are printed as they are: the HCL-to-JSON bridge
 * keeps them escaped when it reads them, so the printed text reads back as the same value.
 */
export function hclString(s: string): string {
  const escaped = s.replace(/[\\"\n\r\t\u0000-\u001f]/g, (ch) => {
    switch (ch) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
  return `"${escaped}"`;
}

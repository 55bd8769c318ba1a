// What start-up would fail on, found by `validate` already: listen addresses the listeners could not
// bind, a trust domain longer than SPIFFE allows, a log_path that is a directory. Run after the mode's
// own checks, on the effective configuration (defaults filled in), so a default is checked too.
import { stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { maxTrustDomainChars } from '../../handlers/identity/workload-id-rules.js';
import { clusterEntryIdProblem, entryIdCluster, entryIdPrefix } from '../../handlers/spiffeid-reconcile/entry-ownership.js';
import { quoteInput } from '../../handlers/text/quote-input.js';
import { parseListenAddr } from '../observability/listen-addr.js';
import type { ConfigKey } from './config-keys.js';
import type { ConfigReader } from './config-reader.js';
import type { RegistrarConfig } from './registrar-config.js';


export async function checkStartup(r: ConfigReader, config: RegistrarConfig): Promise<void> {
  if (config.trustDomain.length > maxTrustDomainChars) {
    r.error('trust_domain', `trust_domain: is ${config.trustDomain.length} characters long; a trust domain has at most ${maxTrustDomainChars}`);
  }
  if (config.mode === 'crd') checkCrdCluster(r, config.cluster);
  for (const [key, addr, required] of listenAddrs(config)) {
    const problem = listenAddrProblem(addr, required);
    if (problem) r.error(key, `${key}: ${problem}`);
  }
  if (config.logPath !== undefined) {
    const info = await stat(config.logPath).catch(() => undefined);
    if (info?.isDirectory()) r.error('log_path', `log_path: ${quoteInput(config.logPath)} is a directory; it must name a file`);
  }
}

/**
 * crd mode names its entries after the cluster (handlers/spiffeid-reconcile/entry-ownership.ts). A name
 * too long for SPIRE's entry IDs is refused. Characters an entry ID cannot hold become `_`, so `eu west`
 * and `eu_west` share a prefix: each would take the other's entries for its own orphans on one SPIRE
 * server. Such a name is kept (changing its prefix would orphan the entries it already made), with a warning.
 */
function checkCrdCluster(r: ConfigReader, cluster: string): void {
  const problem = clusterEntryIdProblem(cluster);
  if (problem) {
    r.error('cluster', `cluster: ${problem}`);
    return;
  }
  const mapped = entryIdCluster(cluster);
  if (mapped !== cluster) {
    r.warn(
      'cluster',
      `cluster: ${quoteInput(cluster)} holds characters a SPIRE entry ID cannot; its entries are named ${entryIdPrefix(cluster)}<UID>, as a cluster named ${quoteInput(mapped)} would name them: two such clusters must not share a SPIRE server`,
    );
  }
}

function listenAddrs(config: RegistrarConfig): [ConfigKey, string, boolean][] {
  switch (config.mode) {
    case 'webhook':
      return [['addr', config.addr, true], ['health_addr', config.healthAddr, false]];
    case 'reconcile':
      return [['metrics_addr', config.metricsAddr, false]];
    case 'crd':
      return [['metrics_bind_addr', config.metricsBindAddr, false]];
  }
}

/**
 * A listen address is `[host]:port` where host is empty (every interface), `localhost` or an IP address:
 * a listener binds a local address. A DNS name (`evil.example:443`) is refused rather than resolved,
 * since what it resolves to, and so which interface the webhook is served on, may change under us.
 */
export function listenAddrProblem(addr: string, required: boolean): string | undefined {
  let parsed;
  try {
    parsed = parseListenAddr(addr);
  } catch (err) {
    return err instanceof Error ? err.message.replace(`"${addr}"`, quoteInput(addr)) : String(err);
  }
  if (parsed === undefined) return required ? `"0" turns the listener off, but this one is required` : undefined;
  const host = parsed.host;
  if (host !== undefined && host !== 'localhost' && isIP(host) === 0) {
    return `${quoteInput(addr)} names the host ${quoteInput(host)}; a listen address takes an IP address of this machine, "localhost" or no host (":${parsed.port}")`;
  }
  return undefined;
}

// HCL text -> effective RegistrarConfig (defaults filled in) + warnings, or a ConfigError listing every
// problem. Rules and messages are the original registrar's (config.go CommonMode.ParseConfig, in its
// order, and the mode files); see mode-configs.ts for the per-mode keys.
import { parseTrustDomain } from '../../handlers/entries/spiffe-id.js';
import { closestKey } from './closest-key.js';
import { defaults, isConfigKey, keysForMode, otherModesOf } from './config-keys.js';
import { ConfigError } from './config-error.js';
import { ConfigReader } from './config-reader.js';
import { parseHcl } from './hcl-parse.js';
import { keyLines } from './key-lines.js';
import { checkStartup } from './startup-checks.js';
import { crdConfig, reconcileConfig, webhookConfig } from './mode-configs.js';
import type { CommonConfig, LogLevel, Mode, RegistrarConfig } from './registrar-config.js';

export type ParsedConfig = { readonly config: RegistrarConfig; readonly warnings: string[] };

const MODES: readonly Mode[] = ['crd', 'webhook', 'reconcile'];
// logrus.ParseLevel accepts these, case-insensitively; "warning" is another name for warn.
const LOG_LEVELS: readonly string[] = ['panic', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export async function parseConfig(text: string, filename: string): Promise<ParsedConfig> {
  const hcl = await parseHcl(text, filename);
  if (!hcl.ok) throw new ConfigError(hcl.problems);
  const r = new ConfigReader(filename, keyLines(text));
  const mode = readMode(r, hcl.body.mode);
  loadKeys(r, hcl.body, mode);
  const common = commonConfig(r);
  const config = mode === undefined ? undefined : modeConfig(r, mode, common);
  if (config !== undefined) await checkStartup(r, config);
  const problems = r.problems();
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems, r.warnings());
  return { config, warnings: r.warnings() };
}

function readMode(r: ConfigReader, raw: unknown): Mode | undefined {
  if (raw === undefined) return defaults.mode;
  r.load('mode', raw);
  if (!r.has('mode')) return undefined;
  const mode = r.str('mode') ?? '';
  if ((MODES as readonly string[]).includes(mode)) return mode as Mode;
  r.error('mode', `invalid mode "${mode}", valid values are crd, webhook and reconcile`);
  return undefined;
}

/** Type-checks every key this mode knows; warns about the others (the original ignored them silently). */
function loadKeys(r: ConfigReader, body: Record<string, unknown>, mode: Mode | undefined): void {
  const known = keysForMode(mode);
  let unknown = 0;
  for (const [key, raw] of Object.entries(body)) {
    if (key === 'mode') continue;
    if (!isConfigKey(key) && ++unknown > maxUnknownKeyWarnings) continue;
    if (!isConfigKey(key)) {
      // Prefer this mode's keys; a key of another mode is still a better hint than none.
      const suggestion = closestKey(key, known) ?? closestKey(key, keysForMode(undefined));
      r.warn(key, `unknown configuration key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; it is ignored`);
    } else if (mode !== undefined && !known.includes(key)) {
      r.warn(key, `configuration key "${key}" is not used in ${mode} mode (it is a ${otherModesOf(key, mode).join(' and ')} mode key); it is ignored`);
    } else {
      r.load(key, raw);
    }
  }
  // A file of thousands of unknown keys is not a typo: name the first few, count the rest.
  if (unknown > maxUnknownKeyWarnings) r.warn(undefined, `${unknown - maxUnknownKeyWarnings} more unknown configuration keys are ignored`);
}

const maxUnknownKeyWarnings = 20;

function commonConfig(r: ConfigReader): CommonConfig {
  const logLevel = readLogLevel(r);
  const logFormat = readLogFormat(r);
  const socketPath = r.str('server_socket_path');
  let serverAddress = r.str('server_address');
  if (serverAddress !== undefined && socketPath !== undefined) {
    r.warn('server_socket_path', 'server_socket_path is ignored because server_address is set');
  }
  if (serverAddress === undefined && socketPath !== undefined) serverAddress = `unix://${socketPath}`;
  const agentSocketPath = r.str('agent_socket_path');
  if (serverAddress === undefined) r.error(undefined, 'server_address or server_socket_path must be specified');
  else if (!serverAddress.startsWith('unix://') && agentSocketPath === undefined) {
    r.error('server_address', 'agent_socket_path must be specified if the server is not a local socket');
  }
  let trustDomain = r.str('trust_domain');
  if (trustDomain === undefined) r.error(undefined, 'trust_domain must be specified');
  else {
    const td = parseTrustDomain(trustDomain);
    if (td.ok) trustDomain = td.value;
    else r.error('trust_domain', `malformed trust domain: ${td.error}`);
  }
  const cluster = r.str('cluster');
  if (cluster === undefined) r.error(undefined, 'cluster must be specified');
  const podLabel = r.str('pod_label');
  const podAnnotation = r.str('pod_annotation');
  if (podLabel !== undefined && podAnnotation !== undefined) {
    r.error('pod_annotation', "workload registration mode specification is incorrect, can't specify both pod_label and pod_annotation");
  }
  const logPath = r.str('log_path');
  return {
    logLevel,
    logFormat,
    ...(logPath !== undefined ? { logPath } : {}),
    trustDomain: trustDomain ?? '',
    serverAddress: serverAddress ?? '',
    ...(agentSocketPath !== undefined ? { agentSocketPath } : {}),
    cluster: cluster ?? '',
    ...(podLabel !== undefined ? { podLabel } : {}),
    ...(podAnnotation !== undefined ? { podAnnotation } : {}),
    disabledNamespaces: r.list('disabled_namespaces') ?? [...defaults.disabledNamespaces],
  };
}

function readLogLevel(r: ConfigReader): LogLevel {
  const raw = r.str('log_level');
  if (raw === undefined) return defaults.logLevel;
  const level = raw.toLowerCase() === 'warning' ? 'warn' : raw.toLowerCase();
  if (LOG_LEVELS.includes(level)) return level as LogLevel;
  r.error('log_level', `log_level: not a valid logrus Level: "${raw}"`);
  return defaults.logLevel;
}

function readLogFormat(r: ConfigReader): 'text' | 'json' {
  const raw = r.str('log_format');
  if (raw === undefined) return defaults.logFormat;
  const format = raw.toLowerCase();
  if (format === 'text' || format === 'json') return format;
  r.error('log_format', `log_format: unknown logger format: "${raw}"`);
  return defaults.logFormat;
}

function modeConfig(r: ConfigReader, mode: Mode, common: CommonConfig): RegistrarConfig {
  switch (mode) {
    case 'webhook':
      return webhookConfig(r, common);
    case 'reconcile':
      return reconcileConfig(r, common);
    case 'crd':
      return crdConfig(r, common);
  }
}

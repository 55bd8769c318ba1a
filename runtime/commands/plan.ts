// `k8s-workload-registrar plan [-config <path>] [-kubeconfig <path>] [-namespace <ns>]`: connects to the cluster and to SPIRE
// exactly as the configured mode would (same config file, same client configuration, same socket or mTLS),
// reads once, and prints what one pass would create, update and delete, with the reason for each, and the
// entries it would leave alone. It never writes. Exit code 0: nothing to do; 2: there are changes; 1: error.
import pino from 'pino';
import { formatChangePlan } from '../../handlers/plan/format-change-plan.js';
import { hasChanges } from '../../handlers/plan/change-plan.js';
import { loadConfigForCommand } from '../config/load-config.js';
import { loadKubeConfig, ownNamespace } from '../kube/kube-config.js';
import { planPass } from '../plan/plan-pass.js';
import { connectSpire } from '../../adapters/spire/connect.js';
import { processIo, type CommandIo } from './command-io.js';
import { FlagError, parseGoFlags } from './go-flags.js';
import { DEFAULT_CONFIG_PATH } from './validate.js';

const USAGE = `Usage: k8s-workload-registrar plan [-config <path>] [-kubeconfig <path>] [-namespace <ns>]
  -config string      configuration file (default "${DEFAULT_CONFIG_PATH}")
  -kubeconfig string  Kubernetes client configuration (default as the registrar finds it: KUBECONFIG,
                      in-cluster, ~/.kube/config)
  -namespace string   the registrar's namespace (crd mode; default MY_POD_NAMESPACE, the service account's, or "default")
Exit code: 0 nothing to do, 2 changes planned, 1 error.
`;

export async function run(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  if (argv.some((a) => ['-h', '-help', '--help'].includes(a))) {
    io.stdout.write(USAGE);
    return 0;
  }
  let path: string;
  let namespace: string;
  let kubeconfigPath: string;
  try {
    const { flags, positional } = parseGoFlags(argv, {
      config: { kind: 'string', default: DEFAULT_CONFIG_PATH },
      namespace: { kind: 'string', default: '' },
      kubeconfig: { kind: 'string', default: '' },
    });
    if (positional.length > 0) throw new FlagError(`unexpected argument: ${positional[0]}`);
    path = flags.config as string;
    namespace = flags.namespace as string;
    kubeconfigPath = flags.kubeconfig as string;
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.stderr.write(`${err.message}\n${USAGE}`);
    return 1;
  }

  const loaded = await loadConfigForCommand(path, io.stderr);
  if (!loaded) return 1;
  const { config, warnings } = loaded;
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
  // Only problems are logged (to stderr); stdout is the plan.
  const log = pino({ level: 'warn', base: null }, pino.destination({ fd: 2, sync: true }));
  let spire;
  try {
    const { kubeConfig } = loadKubeConfig(kubeconfigPath ? { kubeconfigPath } : {});
    // The registrar's address, agent socket and trust domain; as a one-shot tool it fails fast (one attempt,
    // no waiting for a server that is not there) rather than retrying as the long-running registrar does.
    spire = await connectSpire({
      serverAddress: config.serverAddress,
      trustDomain: config.trustDomain,
      ...(config.agentSocketPath ? { agentSocketPath: config.agentSocketPath } : {}),
      retry: { maxAttempts: 1 },
      waitForReady: false,
      logger: log.child({ component: 'spire' }),
    });
    const plan = await planPass({
      config,
      kubeConfig,
      entries: spire.entries,
      namespace: namespace || ownNamespace(),
      log,
      now: Date.now(),
      signal: AbortSignal.timeout(120_000),
    });
    io.stdout.write(`Plan for ${config.mode} mode (trust domain ${config.trustDomain}, cluster ${config.cluster}); nothing has been changed.\n\n`);
    io.stdout.write(formatChangePlan(plan));
    return hasChanges(plan) ? 2 : 0;
  } catch (err) {
    io.stderr.write(`error: ${describe(err)}\n`);
    return 1;
  } finally {
    await spire?.close();
  }
}

function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.length > 0 ? parts.join(': ') : String(err);
}

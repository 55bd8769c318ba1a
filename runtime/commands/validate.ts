// `k8s-workload-registrar validate [-config <path>] [-json]`: loads the configuration exactly as the
// registrar would and prints the effective configuration (defaults filled in) on stdout, as HCL that can
// be used as a config file (or as the RegistrarConfig JSON with -json), and the warnings on stderr;
// or every problem on stderr. Exit code 0 when the configuration is usable, 1 when not, 2 on bad flags.
import { formatConfigHcl } from '../config/format-config.js';
import { loadConfigForCommand } from '../config/load-config.js';
import { processIo, type CommandIo } from './command-io.js';
import { FlagError, parseGoFlags } from './go-flags.js';

export const DEFAULT_CONFIG_PATH = 'k8s-workload-registrar.conf';

const USAGE = `Usage: k8s-workload-registrar validate [-config <path>] [-json]
  -config string   configuration file (default "${DEFAULT_CONFIG_PATH}")
  -json            print the effective configuration as JSON instead of HCL
`;

export async function run(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  if (argv.some((a) => ['-h', '-help', '--help'].includes(a))) {
    io.stdout.write(USAGE);
    return 0;
  }
  let path: string;
  let json: boolean;
  try {
    const { flags, positional } = parseGoFlags(argv, { config: { kind: 'string', default: DEFAULT_CONFIG_PATH }, json: { kind: 'boolean', default: false } });
    if (positional.length > 0) throw new FlagError(`unexpected argument: ${positional[0]}`);
    path = flags.config as string;
    json = flags.json as boolean;
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.stderr.write(`${err.message}\n${USAGE}`);
    return 2;
  }
  const loaded = await loadConfigForCommand(path, io.stderr);
  if (!loaded) return 1;
  const { config, warnings } = loaded;
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
  io.stdout.write(json ? `${JSON.stringify(config, null, 2)}\n` : `# Effective configuration of ${path} (defaults filled in)\n${formatConfigHcl(config)}`);
  return 0;
}

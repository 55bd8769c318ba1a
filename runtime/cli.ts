// The k8s-workload-registrar binary (bin/k8s-workload-registrar.js imports this module, which runs it).
// Without a subcommand it runs the registrar exactly as the original was run (`-config <path>`);
// subcommands are loaded on demand, so each one's dependencies load only when it is used. A subcommand
// module exports `run(argv): Promise<number | void>` (the exit code; void means 0).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processIo, type CommandIo } from './commands/command-io.js';
import { importIfPresent } from './import-if-present.js';
import { run as runRegistrar } from './run.js';

type CommandModule = { run?: (argv: readonly string[]) => Promise<number | void> };

const COMMANDS: Readonly<Record<string, string>> = {
  validate: './commands/validate.js',
  plan: './commands/plan.js',
  'entry show': './commands/entry-show.js',
  'dev-server': './commands/dev-server.js',
  sandbox: './commands/sandbox.js',
};

const USAGE = `Usage:
  k8s-workload-registrar [-config <path>]        run the registrar (default config: k8s-workload-registrar.conf)
  k8s-workload-registrar validate [-config <path>] [-json]
                                                 check a configuration and print it with defaults filled in
  k8s-workload-registrar plan [-config <path>]   show what one pass would change in SPIRE, writing nothing
                                                 (exit 0: nothing to do, 2: changes, 1: error)
  k8s-workload-registrar entry show [flags]      list SPIRE entries, as spire-server entry show does
  k8s-workload-registrar dev-server [flags]      serve an in-memory SPIRE server on a Unix socket
  k8s-workload-registrar sandbox [flags]         try a mode locally against in-memory servers
  k8s-workload-registrar version                 print the version
  k8s-workload-registrar help                    print this help
Run a command with -h for its flags.
`;

export async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || (first.startsWith('-') && !isHelp(first))) return runRegistrar(argv);
  if (isHelp(first) || first === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (first === 'version') {
    io.stdout.write(`k8s-workload-registrar ${version()}\n`);
    return 0;
  }
  const name = first === 'entry' && second === 'show' ? 'entry show' : first;
  const specifier = COMMANDS[name];
  if (specifier === undefined) {
    io.stderr.write(`k8s-workload-registrar: unknown command "${first === 'entry' ? `entry ${second ?? ''}`.trim() : first}"\n${USAGE}`);
    return 2;
  }
  const mod = await importIfPresent<CommandModule>(new URL(specifier, import.meta.url));
  if (typeof mod?.run !== 'function') {
    io.stderr.write(`k8s-workload-registrar: the "${name}" command is not available in this build\n`);
    return 1;
  }
  return (await mod.run(argv.slice(name.split(' ').length))) ?? 0;
}

function isHelp(arg: string): boolean {
  return arg === '-h' || arg === '-help' || arg === '--help';
}

/** From the package.json above this file (runtime/ from source, dist/runtime/ when compiled). */
function version(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'k8s-workload-registrar' && pkg.version) return pkg.version;
    } catch {
      // no package.json at this level; keep looking upwards
    }
  }
  return 'unknown';
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Whatever a mode left open must not keep a finished process alive; the timer does not hold it either.
setTimeout(() => process.exit(code), 5000).unref();

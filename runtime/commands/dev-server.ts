// `k8s-workload-registrar dev-server -socketPath <path> [-trustDomain example.org]
// [-workloadApiSocketPath <path>] [-tcpPort <n>] [-seed file.json] [-dump file.json] [-federateWithAny]`:
// serves the in-memory SPIRE server until SIGINT or SIGTERM, for trying a mode by hand and for black-box
// tests. With -dump the entries are written to the file on the way out.
import { type MemorySpireServer, startMemorySpireServer } from '../../adapters/spire-memory/start.js';
import { processIo, type CommandIo } from './command-io.js';
import { FlagError, parseGoFlags } from './go-flags.js';

const USAGE = `Usage: k8s-workload-registrar dev-server -socketPath <path> [flags]
  -socketPath string             Unix socket for the SPIRE server API (required)
  -trustDomain string            trust domain of the server (default "example.org")
  -workloadApiSocketPath string  also serve a Workload API (agent) on this socket
  -tcpPort int                   also serve the API over mTLS on 127.0.0.1:<port> (0 = any free port)
  -seed string                   JSON file of entries to create at start ({"entries": [...]})
  -dump string                   write the entries to this JSON file when stopping
  -federateWithAny               accept federates_with for any trust domain (a real server needs a bundle)
`;

type Options = {
  socketPath: string; trustDomain: string; workloadApiSocketPath?: string; tcpPort?: number; seed?: string; dump?: string; federateWithAny: boolean;
};

function parseOptions(argv: readonly string[]): Options {
  const { flags, positional } = parseGoFlags(argv, {
    socketPath: { kind: 'string' }, trustDomain: { kind: 'string', default: 'example.org' }, workloadApiSocketPath: { kind: 'string' },
    tcpPort: { kind: 'string' }, seed: { kind: 'string' }, dump: { kind: 'string' }, federateWithAny: { kind: 'boolean', default: false },
  });
  if (positional.length > 0) throw new FlagError(`unexpected argument: ${positional[0]}`);
  if (flags.socketPath === undefined) throw new FlagError('-socketPath is required');
  const port = flags.tcpPort === undefined ? undefined : Number(flags.tcpPort);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new FlagError(`invalid value "${flags.tcpPort}" for -tcpPort`);
  return {
    socketPath: flags.socketPath as string,
    trustDomain: flags.trustDomain as string,
    federateWithAny: flags.federateWithAny as boolean,
    ...(flags.workloadApiSocketPath !== undefined ? { workloadApiSocketPath: flags.workloadApiSocketPath as string } : {}),
    ...(port !== undefined ? { tcpPort: port } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed as string } : {}),
    ...(flags.dump !== undefined ? { dump: flags.dump as string } : {}),
  };
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (sig: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(sig);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `stop` resolves when the server should shut down (default: SIGINT or SIGTERM). */
export async function run(argv: readonly string[], io: CommandIo = processIo, stop: Promise<unknown> = untilSignal()): Promise<number> {
  if (argv.some((a) => ['-h', '-help', '--help'].includes(a))) {
    io.stdout.write(USAGE);
    return 0;
  }
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.stderr.write(`${err.message}\n${USAGE}`);
    return 2;
  }
  let server: MemorySpireServer;
  try {
    server = await startMemorySpireServer({
      socketPath: options.socketPath,
      trustDomain: options.trustDomain,
      ...(options.workloadApiSocketPath ? { workloadApiSocketPath: options.workloadApiSocketPath } : {}),
      ...(options.tcpPort !== undefined ? { tcpPort: options.tcpPort } : {}),
      ...(options.seed ? { seedFile: options.seed } : {}),
      ...(options.dump ? { dumpFile: options.dump } : {}),
      ...(options.federateWithAny ? { federatedTrustDomains: 'any' as const } : {}),
    });
  } catch (err) {
    io.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}${err instanceof Error && err.cause ? ` (${String(err.cause)})` : ''}\n`);
    return 1;
  }
  io.stdout.write(`in-memory SPIRE server listening on ${server.address} (trust domain ${server.trustDomain}, ${server.core.entries().length} entries)\n`);
  if (server.workloadApi) io.stdout.write(`Workload API listening on unix://${server.workloadApi.socketPath} (SVID ${server.workloadApi.spiffeId})\n`);
  if (server.tcp) io.stdout.write(`mTLS API listening on ${server.tcp.address} (admin SVIDs only)\n`);
  await stop;
  const count = server.core.entries().length;
  await server.close();
  io.stdout.write(options.dump ? `stopped; wrote ${count} entries to ${options.dump}\n` : 'stopped\n');
  return 0;
}

// `k8s-workload-registrar sandbox [flags]` starts the local sandbox (runtime/sandbox/sandbox.ts) and keeps
// it running until SIGINT/SIGTERM; `sandbox tour [flags]` runs the tutorial's steps against fresh
// sandboxes and exits non-zero if any entry check fails.
import { join, relative } from 'node:path';
import type { Mode } from '../config/registrar-config.js';
import { MODES, startSandbox, type Sandbox } from '../sandbox/sandbox.js';
import { runTour } from '../sandbox/tour/run-tour.js';
import { processIo, type CommandIo } from './command-io.js';
import { FlagError, parseGoFlags } from './go-flags.js';

const USAGE = `Usage:
  k8s-workload-registrar sandbox [flags]        run the in-memory SPIRE server, a fake Kubernetes API server
                                                with a simulated one-node cluster, and the registrar
    --mode string          webhook, reconcile or crd (default "webhook")
    --dir string           state directory: sockets, kubeconfig, certificates, registrar.conf and
                           registrar.log (default ".sandbox")
    --no-spire             do not start the in-memory SPIRE server; use --spire-socket
    --spire-socket string  SPIRE server API socket (default <dir>/api.sock, or
                           /tmp/spire-server/private/api.sock with --no-spire)
    --no-kube              do not start the fake API server; the registrar uses $KUBECONFIG
    --no-registrar         do not start the registrar; only write <dir>/registrar.conf
    --seed int             seed for generated names and IDs (default random)
  k8s-workload-registrar sandbox tour [flags]   run the tutorial's steps against a fresh sandbox, print each
                                                command with its output, and check the entries
    --mode string          webhook, reconcile, crd or all (default "all")
    --seed int             seed for generated names and IDs (default random)
`;

type Signals = { once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown; off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown };

export async function run(argv: readonly string[], io: CommandIo = processIo, signals: Signals = process): Promise<number> {
  if (argv.some((a) => ['-h', '-help', '--help', 'help'].includes(a))) {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    if (argv[0] === 'tour') return await tour(argv.slice(1), io);
    return await serve(argv, io, signals);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.stderr.write(`${err.message}\n${USAGE}`);
    return 2;
  }
}

function modeFlag(value: unknown, allowAll: boolean): Mode | 'all' {
  if ((MODES as readonly unknown[]).includes(value) || (allowAll && value === 'all')) return value as Mode | 'all';
  throw new FlagError(`--mode must be one of ${[...MODES, ...(allowAll ? ['all'] : [])].join(', ')} (got "${String(value)}")`);
}

function seedFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new FlagError(`--seed must be an integer (got "${String(value)}")`);
  return n;
}

async function tour(argv: readonly string[], io: CommandIo): Promise<number> {
  const { flags, positional } = parseGoFlags(argv, { mode: { kind: 'string', default: 'all' }, seed: { kind: 'string' } });
  if (positional.length > 0) throw new FlagError(`unexpected argument: ${positional[0]}`);
  const mode = modeFlag(flags.mode, true);
  const seed = seedFlag(flags.seed);
  const modes = mode === 'all' ? MODES : [mode];
  const failed: Mode[] = [];
  for (const m of modes) {
    try {
      const result = await runTour(m, { ...(seed !== undefined ? { seed } : {}), write: (s) => io.stdout.write(s) });
      if (!result.ok) failed.push(m);
    } catch (err) {
      io.stdout.write(`\n[FAIL] the ${m} tour stopped: ${describeError(err)}\n`);
      failed.push(m);
    }
  }
  io.stdout.write(failed.length === 0 ? `\nTour finished: every entry check passed (${modes.join(', ')}).\n` : `\nTour finished: checks failed in ${failed.join(', ')} mode.\n`);
  return failed.length === 0 ? 0 : 1;
}

async function serve(argv: readonly string[], io: CommandIo, signals: Signals): Promise<number> {
  const { flags, positional } = parseGoFlags(argv, {
    mode: { kind: 'string', default: 'webhook' },
    dir: { kind: 'string', default: '.sandbox' },
    'no-spire': { kind: 'boolean', default: false },
    'no-kube': { kind: 'boolean', default: false },
    'no-registrar': { kind: 'boolean', default: false },
    'spire-socket': { kind: 'string' },
    seed: { kind: 'string' },
  });
  if (positional.length > 0) throw new FlagError(`unexpected argument: ${positional[0]}`);
  const seed = seedFlag(flags.seed);
  const mode = modeFlag(flags.mode, false) as Mode;
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      mode,
      dir: flags.dir as string,
      spire: !flags['no-spire'],
      kube: !flags['no-kube'],
      registrar: !flags['no-registrar'],
      ...(flags['spire-socket'] !== undefined ? { spireSocket: flags['spire-socket'] as string } : {}),
      ...(seed !== undefined ? { seed } : {}),
    });
  } catch (err) {
    io.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  }
  io.stdout.write(describeSandbox(sandbox, { registrar: !flags['no-registrar'] }));
  await new Promise<void>((resolve) => {
    const stop = () => {
      signals.off('SIGINT', stop);
      signals.off('SIGTERM', stop);
      resolve();
    };
    signals.once('SIGINT', stop);
    signals.once('SIGTERM', stop);
  });
  io.stdout.write('Stopping the sandbox\n');
  await sandbox.close();
  return 0;
}

/** An error and its causes on one line ("start the sandbox: listen EADDRINUSE ..."). */
function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && parts.length < 5; e = e instanceof Error ? e.cause : undefined) {
    parts.push(e instanceof Error ? e.message : String(e));
  }
  return parts.join(': ');
}

/** How to use the running sandbox: what runs where, and commands to try. */
export function describeSandbox(s: Sandbox, parts: { registrar: boolean }): string {
  const rel = (p: string) => {
    const r = relative(process.cwd(), p);
    return r.startsWith('..') ? p : r === '' ? '.' : r;
  };
  const kubectl = s.kubeconfigPath ? `kubectl --kubeconfig ${rel(s.kubeconfigPath)}` : 'kubectl';
  const deploy = `deploy/${s.mode}${s.mode === 'crd' ? '/base' : ''}`;
  const workloadFiles = [`${deploy}/spire-agent.yaml`, `${deploy}/workload.yaml`];
  const lines = [
    `Sandbox running in ${s.mode} mode (state in ${rel(s.dir)})`,
    `  SPIRE server:    ${s.spire ? 'in memory, ' : ''}socket ${rel(s.spireSocket)}`,
    s.api ? `  Kubernetes API:  ${s.api.url} (fake; one node, minikube), kubeconfig ${rel(s.kubeconfigPath ?? '')}` : '  Kubernetes API:  not started; the registrar uses $KUBECONFIG (or ~/.kube/config)',
    parts.registrar
      ? `  Registrar:       ${s.mode} mode, config ${rel(s.configPath)}, log ${rel(s.logPath)}`
      : `  Registrar:       not started; run it with:\n                   ${s.kubeconfigPath && s.mode !== 'webhook' ? `KUBECONFIG=${rel(s.kubeconfigPath)} ` : ''}MY_POD_NAMESPACE=spire k8s-workload-registrar -config ${rel(s.configPath)}`,
    '',
    'Try:',
    `  ${kubectl} apply -f ${workloadFiles.join(' -f ')}`,
    `  ${kubectl} get pods -A`,
    `  k8s-workload-registrar entry show -socketPath ${rel(s.spireSocket)}`,
    `  tail ${rel(s.logPath)}          (the simulated cluster logs to ${rel(join(s.dir, 'sandbox.log'))})`,
    `  ${kubectl} delete deployment -n spire example-workload`,
    '(The sandbox stands in for the spire-server StatefulSet: apply single files rather than `apply -k`.)',
    'Press Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}

// The registrar under test as a separate process, with a generated HCL config and a kubeconfig for the
// fake API server, started as users start it: the npm binary (`node bin/k8s-workload-registrar.js -config
// <file>`, which runs the compiled dist/; the bench's npm scripts build dist/ first). Samples its
// /proc status (VmHWM = peak RSS, VmRSS) and CPU time, and hands its JSON log lines to listeners.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type GcEvent, parseGcLine } from './gc-trace.js';

const BIN = fileURLToPath(new URL('../../bin/k8s-workload-registrar.js', import.meta.url));
const CLOCK_TICKS = 100; // USER_HZ on Linux

export type LogLine = Record<string, unknown> & { msg: string };

export type RegistrarProcess = {
  readonly pid: number;
  /** performance.now() when the process was spawned. */
  readonly spawnedAt: number;
  /** Resolves with the time of the first log line whose msg is `msg` and that passes `where`. */
  waitForLog(msg: string, where?: (l: LogLine) => boolean, timeoutMs?: number): Promise<{ at: number; line: LogLine }>;
  /** Log lines with this msg seen so far. */
  logCount(msg: string): number;
  /** Calls `listener` with every later log line whose msg is `msg` (which must be watched). */
  onLog(msg: string, listener: (line: LogLine, at: number) => void): () => void;
  /** Peak RSS (VmHWM) in MiB, sampled now. */
  peakRssMiB(): number;
  rssMiB(): number;
  /** User + system CPU seconds so far. */
  cpuSeconds(): number;
  /** The last lines of output, for error messages. */
  tail(): string;
  /** Collections the registrar reported (only when it runs with `--trace-gc-nvp`; bench/lib/gc-trace.ts). */
  gcEvents(): readonly GcEvent[];
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code. Safe to call twice. */
  stop(): Promise<number | null>;
};

export type RegistrarOptions = {
  readonly dir: string;
  /** HCL config body (keys as the original registrar's). */
  readonly hcl: string;
  /** Writes a kubeconfig for the registrar (KUBECONFIG); webhook mode needs none. */
  readonly kubeconfig?: (path: string) => Promise<void>;
  /** Extra node flags (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** Extra environment variables (e.g. BENCH_PROBE_OUT for bench/lib/latency-probe.js). */
  readonly env?: Readonly<Record<string, string>>;
  /** Log lines whose msg is in this set are parsed and kept for waitForLog/logCount; others are only counted. */
  readonly watchMessages: readonly string[];
  readonly name?: string;
};

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export async function startRegistrar(o: RegistrarOptions): Promise<RegistrarProcess> {
  const name = o.name ?? 'registrar';
  const configPath = join(o.dir, `${name}.conf`);
  const kubeconfigPath = join(o.dir, `${name}.kubeconfig`);
  await writeFile(configPath, o.hcl);
  await o.kubeconfig?.(kubeconfigPath);
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), BIN, '-config', configPath], {
    env: { ...process.env, ...o.env, KUBECONFIG: kubeconfigPath, MY_POD_NAMESPACE: 'spire' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    live.delete(child);
    resolve(code);
  }));
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the registrar process');

  const watched = new Set(o.watchMessages);
  const counts = new Map<string, number>();
  const waiters: { msg: string; where: (l: LogLine) => boolean; resolve: (r: { at: number; line: LogLine }) => void }[] = [];
  const listeners = new Set<{ msg: string; listener: (line: LogLine, at: number) => void }>();
  const tail: string[] = [];
  const gc: GcEvent[] = [];
  let peakMiB = 0;
  // BENCH_REGISTRAR_OUTPUT=<file>: every line the registrar writes (e.g. with --trace-gc-nvp) is kept there.
  const copy = process.env.BENCH_REGISTRAR_OUTPUT ? createWriteStream(`${process.env.BENCH_REGISTRAR_OUTPUT}.${name}.${pid}`) : undefined;
  void exited.then(() => copy?.end());
  const onLine = (text: string) => {
    copy?.write(`${text}\n`);
    const collection = parseGcLine(text, performance.now());
    if (collection) {
      gc.push(collection);
      return;
    }
    tail.push(text);
    if (tail.length > 30) tail.shift();
    const m = /"msg":"([^"]*)"/.exec(text);
    if (!m || !watched.has(m[1] as string)) return;
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    counts.set(line.msg, (counts.get(line.msg) ?? 0) + 1);
    const at = performance.now();
    for (const l of listeners) if (l.msg === line.msg) l.listener(line, at);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (w && w.msg === line.msg && w.where(line)) {
        waiters.splice(i, 1);
        w.resolve({ at, line });
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
  }
  const status = (field: string): number => {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  const sample = setInterval(() => (peakMiB = Math.max(peakMiB, status('VmHWM'))), 250);
  let stopping: Promise<number | null> | undefined;
  const proc: RegistrarProcess = {
    pid,
    spawnedAt,
    waitForLog(msg, where = () => true, timeoutMs = 120_000) {
      if (!watched.has(msg)) throw new Error(`"${msg}" is not in watchMessages`);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no "${msg}" log line within ${timeoutMs} ms\n${proc.tail()}`)), timeoutMs);
        const waiter = { msg, where, resolve: (r: { at: number; line: LogLine }) => { clearTimeout(timer); resolve(r); } };
        waiters.push(waiter);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before logging "${msg}"\n${proc.tail()}`));
        });
      });
    },
    logCount: (msg) => counts.get(msg) ?? 0,
    onLog(msg, listener) {
      if (!watched.has(msg)) throw new Error(`"${msg}" is not in watchMessages`);
      const entry = { msg, listener };
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    peakRssMiB() {
      peakMiB = Math.max(peakMiB, status('VmHWM'));
      return Math.round(peakMiB);
    },
    rssMiB: () => Math.round(status('VmRSS')),
    cpuSeconds() {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
      } catch {
        return Number.NaN;
      }
    },
    tail: () => tail.join('\n'),
    gcEvents: () => gc,
    stop() {
      stopping ??= (async () => {
        clearInterval(sample);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          const code = await exited;
          clearTimeout(timer);
          return code;
        }
        return exited;
      })();
      return stopping;
    },
  };
  return proc;
}

/** HCL for reconcile mode as the tutorial configures it, pointed at the bench's servers. */
export function reconcileHcl(socketPath: string, logLevel: 'info' | 'debug' = 'info'): string {
  return [
    'mode = "reconcile"',
    'trust_domain = "example.org"',
    'cluster = "k8stest"',
    `server_socket_path = "${socketPath}"`,
    'metrics_addr = "0"',
    'pod_label = "spire-workload"',
    'log_format = "json"',
    `log_level = "${logLevel}"`,
    '',
  ].join('\n');
}

/** HCL for webhook mode as the tutorial configures it, listening on 127.0.0.1 (any port), no health port. */
export function webhookHcl(socketPath: string, tls: { certPath: string; keyPath: string; caPath: string }): string {
  return [
    'trust_domain = "example.org"',
    'cluster = "k8stest"',
    `server_socket_path = "${socketPath}"`,
    `cert_path = "${tls.certPath}"`,
    `key_path = "${tls.keyPath}"`,
    `cacert_path = "${tls.caPath}"`,
    'insecure_skip_client_verification = false',
    'addr = "127.0.0.1:0"',
    'health_addr = "0"',
    'log_format = "json"',
    'log_level = "info"',
    '',
  ].join('\n');
}

/** HCL for crd mode as the tutorial configures it (pod_annotation), pointed at the bench's servers. */
export function crdHcl(socketPath: string, logLevel: 'info' | 'debug' = 'info'): string {
  return [
    'mode = "crd"',
    'trust_domain = "example.org"',
    'cluster = "k8stest"',
    `server_socket_path = "${socketPath}"`,
    'pod_annotation = "spiffe.io/spiffe-id"',
    'metrics_bind_addr = "0"',
    'log_format = "json"',
    `log_level = "${logLevel}"`,
    '',
  ].join('\n');
}

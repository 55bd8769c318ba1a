// The bench's SPIRE server in a child process (`--spire-process=1` in bench/webhook.ts): a real SPIRE
// server is a process of its own, so its garbage collection and event loop never stall the load
// generator. In the harness process (cluster.ts) the in-memory server shares one heap and one loop with
// the harness's HTTPS client, and every admission waits for one SPIRE answer: the harness's own pauses
// then show up in the registrar's tail. The child serves the project's in-memory server on a Unix socket,
// exactly as in-process, and answers control messages (fault delay, call counters) over IPC.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RpcMethod } from '../../adapters/spire-memory/core.js';

export type SpireControl = { id: number; op: 'delayMs' | 'resetCalls' | 'calls' | 'count' | 'close'; value?: number };

export type SpireProcess = {
  readonly socketPath: string;
  readonly pid: number;
  delayMs(ms: number): Promise<void>;
  resetCalls(): Promise<void>;
  calls(): Promise<Record<RpcMethod, number>>;
  entryCount(): Promise<number>;
  close(): Promise<void>;
};

const CHILD = fileURLToPath(new URL('./spire-process-child.ts', import.meta.url));

/** `nodeArgs`: extra flags for the child (e.g. `--import latency-probe.js`); `env` for the probe's output file. */
export async function startSpireProcess(socketPath: string, o: { nodeArgs?: readonly string[]; env?: Record<string, string> } = {}): Promise<SpireProcess> {
  const child: ChildProcess = fork(CHILD, [socketPath], {
    execArgv: [...process.execArgv, ...(o.nodeArgs ?? [])],
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const pending = new Map<number, (result: unknown) => void>();
  let next = 1;
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    child.once('exit', (code) => reject(new Error(`SPIRE process exited (${code}) before serving`)));
  });
  child.on('message', (m: { id: number; result: unknown }) => {
    if (m.id === 0) return ready();
    pending.get(m.id)?.(m.result);
    pending.delete(m.id);
  });
  await started;
  const ask = <T>(op: SpireControl['op'], value?: number): Promise<T> => new Promise((resolve) => {
    const id = next++;
    pending.set(id, resolve as (r: unknown) => void);
    child.send({ id, op, ...(value !== undefined ? { value } : {}) } satisfies SpireControl);
  });
  let closing: Promise<void> | undefined;
  return {
    socketPath,
    pid: child.pid as number,
    delayMs: (ms) => ask('delayMs', ms),
    resetCalls: () => ask('resetCalls'),
    calls: () => ask('calls'),
    entryCount: () => ask('count'),
    close() {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          await ask('close');
          await exited;
        }
        process.off('exit', kill);
      })();
      return closing;
    },
  };
}

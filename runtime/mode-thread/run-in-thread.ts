// The main thread's side of a mode that runs in a thread of its own (runtime/heap-tuning.ts says which
// and why: a young generation sized for the mode). The thread gets the parsed configuration, builds its
// own logger on the same destination and runs the mode (thread-entry.ts); this side turns the first
// signal into a stop message and resolves with the thread's exit code. The process's signals, exit code
// and "second signal exits at once" stay with runtime/run.ts, as for a mode on the main thread.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { RegistrarConfig } from '../config/registrar-config.js';

export type ModeThreadData = { readonly config: RegistrarConfig; readonly path: string };

/** What the thread posts once the mode has returned. */
export type ModeThreadResult = { readonly exitCode: number };

/** The only message the main thread sends: stop the mode (its first SIGTERM/SIGINT). */
export const STOP = 'stop';

export type RunModeInThread = (o: {
  readonly config: RegistrarConfig;
  readonly path: string;
  readonly youngGenerationMiB: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** The thread's module (tests); thread-entry.js by default. */
  readonly entry?: URL;
}) => Promise<number>;

export const runModeInThread: RunModeInThread = (o) =>
  new Promise((resolve) => {
    const data: ModeThreadData = { config: o.config, path: o.path };
    // execArgv is inherited, so a profiler or preloaded probe given to the process applies here too.
    const worker = new Worker(o.entry ?? new URL('./thread-entry.js', import.meta.url), {
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: o.youngGenerationMiB },
    });
    let settled = false;
    const settle = (code: number) => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', stop);
      resolve(code);
    };
    const stop = () => worker.postMessage(STOP);
    if (o.signal.aborted) stop();
    else o.signal.addEventListener('abort', stop, { once: true });
    worker.on('message', (m: Partial<ModeThreadResult>) => {
      if (typeof m?.exitCode === 'number') settle(m.exitCode);
    });
    // An exception the mode did not catch ends the thread (on the main thread it would end the process).
    worker.once('error', (err) => {
      if (!settled) o.logger.fatal({ err }, 'Registrar failed');
      settle(1);
    });
    worker.once('exit', (exitCode) => {
      if (!settled) o.logger.fatal({ exitCode }, 'The registrar thread ended without a result');
      settle(1);
    });
  });

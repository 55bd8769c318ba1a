// The default command, `k8s-workload-registrar [-config <path>]`: load the configuration (every problem
// to stderr, exit 1), build the logger, turn SIGTERM/SIGINT into an AbortSignal, and hand over to the
// configured mode (runtime/modes/<mode>.ts, loaded only when used). Exit code 0 after a graceful
// shutdown, 1 on a configuration or fatal error. A second signal while shutting down exits at once.
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { processIo, type CommandIo } from './commands/command-io.js';
import { FlagError, parseGoFlags } from './commands/go-flags.js';
import { DEFAULT_CONFIG_PATH } from './commands/validate.js';
import { loadConfigForCommand } from './config/load-config.js';
import { modeYoungGenerationMiB, tuneHeapGrowth, tuneModeThread } from './heap-tuning.js';
import type { Mode } from './config/registrar-config.js';
import { createLogger, type LogSink } from './logger.js';
import type { RunModeInThread } from './mode-thread/run-in-thread.js';
import { loadModeFile, runMode, type LoadMode } from './run-mode.js';

type SignalName = 'SIGTERM' | 'SIGINT';

export type RunDeps = {
  readonly io: CommandIo;
  /** Where the process's signals come from (tests pass an EventEmitter). */
  readonly signals: { on(signal: SignalName, listener: () => void): unknown; off(signal: SignalName, listener: () => void): unknown };
  readonly loadMode: LoadMode;
  /** Replaces the logger's stderr/log_path destination (tests). */
  readonly logSink?: LogSink;
  readonly exitNow: (code: number) => void;
  /**
   * Starts loading the modules of the mode the config file names while the configuration is parsed (the
   * HCL parser runs in a worker thread, so the two overlap): a start-up speed-up only; the mode that is
   * run is always the parsed one, loaded through loadMode.
   */
  readonly prefetchMode?: (configPath: string) => void;
  /**
   * Runs a mode with a young generation of its own size in a thread of its own (heap-tuning.ts says
   * which); without it every mode runs on this thread (tests that run modes in-process).
   */
  readonly runInThread?: RunModeInThread;
};

const defaultDeps: RunDeps = {
  io: processIo,
  signals: process,
  loadMode: loadModeFile,
  exitNow: (code) => process.exit(code),
  prefetchMode: (configPath) => {
    void sniffMode(configPath)
      // A mode that runs in its own thread loads its modules there: loading them here too would only add
      // this thread's copy to the process's memory.
      .then((mode) => (mode && modeYoungGenerationMiB({ mode }) === undefined ? loadModeFile(mode) : undefined))
      .catch(() => undefined); // any problem surfaces when the parsed mode is loaded
  },
  runInThread: (o) => import('./mode-thread/run-in-thread.js').then((m) => m.runModeInThread(o)),
};

/** The `mode = "..."` line of an HCL file, if there is a plain one (start-up prefetch only, never trusted). */
async function sniffMode(path: string): Promise<Mode | undefined> {
  const m = /^\s*mode\s*=\s*"(webhook|reconcile|crd)"\s*$/m.exec(await readFile(path, 'utf8'));
  return m ? (m[1] as Mode) : undefined;
}

export const RUN_USAGE = `Usage: k8s-workload-registrar [-config <path>]
  -config string   configuration file (default "${DEFAULT_CONFIG_PATH}")
`;

export async function run(argv: readonly string[], deps: RunDeps = defaultDeps): Promise<number> {
  const { io } = deps;
  let path: string;
  try {
    const { flags, positional } = parseGoFlags(argv, { config: { kind: 'string', default: DEFAULT_CONFIG_PATH } });
    if (positional.length > 0) throw new FlagError(`unexpected argument: ${positional[0]}`);
    path = flags.config as string;
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.stderr.write(`${err.message}\n${RUN_USAGE}`);
    return 2;
  }

  deps.prefetchMode?.(path);
  const loaded = await loadConfigForCommand(path, io.stderr);
  if (!loaded) return 1;
  const { config, warnings } = loaded;
  tuneHeapGrowth(config);
  let logger: Logger;
  try {
    logger = createLogger(config, deps.logSink);
  } catch (err) {
    // SPIRE's wording for the same failure (config_*.go Run): "error setting up logging: ...".
    io.stderr.write(`error: error setting up logging: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  for (const warning of warnings) logger.warn({ warning }, 'Configuration warning');

  const controller = new AbortController();
  const onSignal = (signal: SignalName) => () => {
    if (controller.signal.aborted) {
      logger.warn({ signal }, 'Second signal received, exiting immediately');
      deps.exitNow(1);
      return;
    }
    logger.info({ signal }, 'Shutting down');
    controller.abort();
  };
  const handlers = { SIGTERM: onSignal('SIGTERM'), SIGINT: onSignal('SIGINT') };
  for (const [signal, handler] of Object.entries(handlers)) deps.signals.on(signal as SignalName, handler);
  try {
    const youngGenerationMiB = modeYoungGenerationMiB(config);
    if (youngGenerationMiB !== undefined && deps.runInThread) {
      tuneModeThread(config);
      return await deps.runInThread({ config, path, youngGenerationMiB, logger, signal: controller.signal });
    }
    return await runMode({ config, path, logger, loadMode: deps.loadMode, signal: controller.signal });
  } finally {
    for (const [signal, handler] of Object.entries(handlers)) deps.signals.off(signal as SignalName, handler);
  }
}

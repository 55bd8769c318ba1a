// Load the configured mode and run it until `signal` aborts: what `k8s-workload-registrar [-config]`
// does once the configuration and the logger exist. runtime/run.ts calls it on the main thread; a mode
// that runs in a thread of its own (runtime/mode-thread/) calls it there.
import type { Logger } from 'pino';
import type { Mode, RegistrarConfig } from './config/registrar-config.js';
import { importIfPresent } from './import-if-present.js';
import type { ModeRunner } from './modes/mode-context.js';

export type LoadMode = (mode: Mode) => Promise<{ run?: unknown } | undefined>;

/** runtime/modes/<mode>.js, loaded only when that mode runs. */
export const loadModeFile: LoadMode = (mode) => importIfPresent<{ run?: unknown }>(new URL(`./modes/${mode}.js`, import.meta.url));

export type RunModeOptions = {
  readonly config: RegistrarConfig;
  /** The configuration file, for the start line. */
  readonly path: string;
  readonly logger: Logger;
  readonly loadMode: LoadMode;
  readonly signal: AbortSignal;
  /** Extra fields for the start line. */
  readonly startFields?: Readonly<Record<string, unknown>>;
};

/** @returns the exit code: 0 after a graceful stop, 1 when the mode cannot be loaded or fails. */
export async function runMode(o: RunModeOptions): Promise<number> {
  const { config, logger } = o;
  const mod = await loadModeModule(o.loadMode, config.mode, logger);
  if (!mod) return 1;
  try {
    logger.info({ mode: config.mode, config: o.path, ...o.startFields }, 'Starting k8s-workload-registrar');
    await mod.run({ config, logger, signal: o.signal, onReady: () => logger.info('Ready') });
    logger.info('Stopped');
    return 0;
  } catch (err) {
    logger.fatal({ err }, 'Registrar failed');
    return 1;
  }
}

async function loadModeModule(loadMode: LoadMode, mode: Mode, logger: Logger): Promise<{ run: ModeRunner } | undefined> {
  let mod: { run?: unknown } | undefined;
  try {
    mod = await loadMode(mode);
  } catch (err) {
    logger.fatal({ err, mode }, 'Failed to load the mode');
    return undefined;
  }
  if (mod === undefined) {
    logger.fatal({ mode, module: `runtime/modes/${mode}` }, 'This build has no implementation of the configured mode');
    return undefined;
  }
  if (typeof mod.run !== 'function') {
    logger.fatal({ mode, module: `runtime/modes/${mode}` }, 'The mode module does not export a run function');
    return undefined;
  }
  return { run: mod.run as ModeRunner };
}

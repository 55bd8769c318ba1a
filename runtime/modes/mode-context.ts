import type { Logger } from 'pino';
import type { RegistrarConfig } from '../config/registrar-config.js';

/**
 * What runtime/run.ts hands a mode. Each mode lives in runtime/modes/<mode>.ts and exports
 * `run(ctx)`, which starts everything, resolves only after `signal` aborted and the mode has shut down
 * gracefully (in-flight work finished, lease released, listeners closed), and rejects on a fatal error.
 */
export type ModeContext<C extends RegistrarConfig = RegistrarConfig> = {
  readonly config: C;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Called once the mode is ready (caches synced / serving); the sandbox and tests wait on it. */
  readonly onReady?: () => void;
};

export type ModeRunner<C extends RegistrarConfig = RegistrarConfig> = (ctx: ModeContext<C>) => Promise<void>;

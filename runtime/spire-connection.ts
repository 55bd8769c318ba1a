// The registrar's SPIRE connection as every mode opens it: server address and agent socket from the
// config, retries logged under component "spire", and each call attempt counted in the metrics.
import type { Logger } from 'pino';
import { connectSpire, type ConnectSpireOptions, type SpireClient } from '../adapters/spire/connect.js';
import type { CommonConfig } from './config/registrar-config.js';

export type SpireCallObserver = (method: string, code: number) => void;

export function connectRegistrarSpire(
  cfg: CommonConfig,
  logger: Logger,
  onCall?: SpireCallObserver,
  callTimeoutMs?: number,
  transport?: ConnectSpireOptions['transport'],
): Promise<SpireClient> {
  return connectSpire({
    serverAddress: cfg.serverAddress,
    trustDomain: cfg.trustDomain,
    ...(cfg.agentSocketPath ? { agentSocketPath: cfg.agentSocketPath } : {}),
    ...(callTimeoutMs !== undefined ? { callTimeoutMs } : {}),
    ...(onCall ? { onCall } : {}),
    ...(transport ? { transport } : {}),
    logger: logger.child({ component: 'spire' }),
  });
}

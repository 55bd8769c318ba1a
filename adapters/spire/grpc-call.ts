// One unary gRPC call to SPIRE with a deadline, retries with backoff on UNAVAILABLE and
// DEADLINE_EXCEEDED only, and every failure turned into a SpireCallError carrying the gRPC code.
// Calls are made wait-for-ready (unless turned off): while the channel is reconnecting (SPIRE restarting) a call waits for it
// within its deadline instead of failing at once with `connect ENOENT`, so the first call after SPIRE
// serves again succeeds rather than burning a retry on the channel's own reconnect backoff.
import * as grpc from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import { StatusCode } from '../../handlers/entries/status-code.js';
import { SpireCallError } from '../entry-store.js';
import { type RetryPolicy, backoffDelayMs } from './backoff.js';

export type CallSettings = {
  readonly timeoutMs: number;
  /**
   * Wait within the deadline for a channel that is (re)connecting instead of failing at once; default
   * true. One-shot tools (`entry show`) turn it off: there, no server means fail now, as SPIRE's CLI does.
   */
  readonly waitForReady?: boolean;
  readonly retry: RetryPolicy;
  readonly random?: () => number;
  /** Called before each retry (for logging). */
  readonly onRetry?: (info: { method: string; attempt: number; code: number; delayMs: number }) => void;
  /** Called after every attempt with the RPC's short name and its gRPC code (0 = OK), for metrics. */
  readonly onCall?: (method: string, code: number) => void;
};

/** `/spire.api.server.entry.v1.Entry/ListEntries` -> `ListEntries`. */
function shortName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

const retriable = new Set<number>([StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED]);

function once<Req, Res>(client: grpc.Client, def: grpc.MethodDefinition<Req, Res>, req: Req, timeoutMs: number, waitForReady: boolean, signal?: AbortSignal): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const call = client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, req, new grpc.Metadata({ waitForReady }),
      { deadline: Date.now() + timeoutMs }, (err, res) => {
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res as Res);
      });
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `what` names the call for error messages ("list entries (page 3)"). `client()` is asked on every
 * attempt, so a retry after an mTLS rotation goes out on the new channel.
 */
export function unaryCall<Req, Res>(client: () => grpc.Client, def: grpc.MethodDefinition<Req, Res>, req: Req, what: string,
  settings: CallSettings, signal?: AbortSignal): Promise<Res> {
  return withRetries(shortName(def.path), def.path, what, settings, signal,
    () => once(client(), def, req, settings.timeoutMs, settings.waitForReady ?? true, signal));
}

/**
 * Runs `attempt` until it succeeds, fails with a code that is not retried, or the attempts run out; every
 * failure becomes a SpireCallError. Shared by the grpc-js client and the lean one (entry-rpc.http2.ts):
 * an attempt rejects with an error carrying a gRPC `code` and `details` (grpc-js's ServiceError shape).
 */
export async function withRetries<Res>(method: string, path: string, what: string, settings: CallSettings, signal: AbortSignal | undefined,
  attempt: () => Promise<Res>): Promise<Res> {
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw new SpireCallError(`${what}: aborted`, StatusCode.CANCELLED, { cause: signal.reason });
    try {
      const res = await attempt();
      settings.onCall?.(method, StatusCode.OK);
      return res;
    } catch (err) {
      const code = typeof (err as grpc.ServiceError).code === 'number' ? (err as grpc.ServiceError).code : StatusCode.UNKNOWN;
      settings.onCall?.(method, code);
      if (!retriable.has(code) || n >= settings.retry.maxAttempts || signal?.aborted) {
        const details = (err as grpc.ServiceError).details ?? (err as Error).message;
        throw new SpireCallError(`${what}: ${details}`, code, { cause: err });
      }
      const delayMs = backoffDelayMs(settings.retry, n - 1, settings.random);
      settings.onRetry?.({ method: path, attempt: n, code, delayMs });
      await sleep(delayMs, undefined, signal ? { signal } : {}).catch(() => undefined);
    }
  }
}

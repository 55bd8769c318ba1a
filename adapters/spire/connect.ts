// connectSpire: the registrar's SPIRE client. A unix:// address talks plain gRPC on the socket; a TCP
// address uses mTLS with the X509-SVID from the agent's Workload API, trusting the bundle it returns
// and accepting only the server's own ID (spiffe://<td>/spire/server). A new SVID from the agent
// replaces the channel; calls already in flight finish on the old one.
import * as grpc from '@grpc/grpc-js';
import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import { spireServerId } from '../../handlers/entries/spiffe-id.js';
import type { EntryStore } from '../entry-store.js';
import type { SvidMinter } from '../svid-minter.js';
import { type RetryPolicy, defaultRetryPolicy } from './backoff.js';
import { type BatchSizes, defaultBatchSizes } from './entry-rpc.js';
import { grpcEntryRpc } from './entry-rpc.grpc.js';
import { http2EntryRpc } from './entry-rpc.http2.js';
import { http2UnaryChannel } from './http2-unary.js';
import type { CallSettings } from './grpc-call.js';
import { pagedBatchedEntryStore } from './paged-batched-store.js';
import { parseServerAddress } from './server-address.js';
import { grpcSvidMinter } from './svid-minter.grpc.js';
import { type X509Material, watchX509Svid } from './workload-api-client.js';

/** The subset of a pino logger this module uses. */
export type SpireLogger = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

export type ConnectSpireOptions = {
  readonly serverAddress: string;
  readonly agentSocketPath?: string;
  readonly trustDomain: string;
  readonly batchSizes?: Partial<BatchSizes>;
  /** Deadline of each call attempt; default 30 s. */
  readonly callTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Calls wait for a (re)connecting channel within their deadline; default true (see grpc-call.ts). */
  readonly waitForReady?: boolean;
  readonly logger?: SpireLogger;
  /** Default: wait up to 30 s for the agent's first SVID. */
  readonly agentTimeoutMs?: number;
  /** Told of every call attempt (RPC short name, gRPC code; 0 = OK): the runtime counts them as metrics. */
  readonly onCall?: (method: string, code: number) => void;
  /**
   * The Entry API's transport on a Unix socket: `grpc-js` (default) or `http2`, the lean unary client
   * (http2-unary.ts) that webhook mode uses for its per-admission calls (docs/adr/0008). A TCP address
   * always uses grpc-js (mTLS with credentials rotated from the agent). The SVID API stays on grpc-js.
   */
  readonly transport?: 'grpc-js' | 'http2';
};

export type SpireClient = {
  readonly entries: EntryStore;
  readonly svid: SvidMinter;
  /**
   * Calls `listener` each time the channel is READY again after losing its connection (SPIRE restarted,
   * socket gone and back): the runtime runs a pass then instead of waiting for its retry. Returns a
   * function that removes the listener.
   */
  onReconnect(listener: () => void): () => void;
  close(): Promise<void>;
};

/**
 * grpc-js reconnects after 1 s, growing x1.6 to 120 s; after an outage of minutes a restarted SPIRE
 * would then wait up to two minutes for the next connection attempt. A registrar talks to one server
 * (its own socket, or one address), so short, capped attempts cost nothing and bound recovery: grpc-js
 * adds up to ±20 % jitter to each delay, so 1.6 s keeps every attempt under 2 s apart.
 */
export const reconnectOptions: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 1600,
};

/** Accepts the server only if its certificate names `spiffe://<td>/spire/server`. */
export function serverIdentityCheck(trustDomain: string): (host: string, cert: PeerCertificate) => Error | undefined {
  const want = spireServerId(trustDomain);
  return (_host, cert) => {
    const uris = (cert.subjectaltname ?? '').split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
    return uris.includes(want) ? undefined : new Error(`SPIRE server presented ${uris.join(',') || 'no SPIFFE ID'}, want ${want}`);
  };
}

function mtlsCredentials(m: X509Material, trustDomain: string): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(m.bundlePem), Buffer.from(m.keyPem), Buffer.from(m.certChainPem),
    { checkServerIdentity: serverIdentityCheck(trustDomain) });
}

/** TLS forbids an IP address as SNI server name; the identity check ignores the name anyway. */
function channelOptions(target: string, trustDomain: string): grpc.ChannelOptions {
  const host = target.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return { ...reconnectOptions, ...(isIP(host) ? { 'grpc.ssl_target_name_override': trustDomain } : {}) };
}

/** A client that follows the agent's SVID: each update builds a new mTLS channel and closes the old one. */
async function agentMtlsClient(target: string, options: ConnectSpireOptions & { agentSocketPath: string }, graceMs: number):
  Promise<{ get: () => grpc.Client; close: () => void }> {
  let current: grpc.Client | undefined;
  // Closing a channel fails the calls still on it, so an old channel lives until their deadlines pass
  // (each attempt asks for the current channel, so only attempts already started remain on it).
  const retiring = new Map<grpc.Client, NodeJS.Timeout>();
  const retire = (c: grpc.Client) => {
    retiring.set(c, setTimeout(() => {
      retiring.delete(c);
      c.close();
      options.logger?.info({}, 'Closed the SPIRE channel of the previous credentials');
    }, graceMs).unref());
  };
  const watch = watchX509Svid({
    socketPath: options.agentSocketPath,
    onUpdate: (m) => {
      const previous = current;
      current = new grpc.Client(target, mtlsCredentials(m, options.trustDomain), channelOptions(target, options.trustDomain));
      if (previous) {
        retire(previous);
        options.logger?.info({ spiffe_id: m.spiffeId }, 'Rotated SPIRE client credentials');
      }
    },
    ...(options.logger ? { onError: (err: unknown) => options.logger?.warn({ err }, 'Workload API stream failed') } : {}),
  });
  const timeoutMs = options.agentTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([watch.first, new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no X509-SVID from the agent within ${timeoutMs} ms`)), timeoutMs);
    })]);
  } catch (err) {
    watch.close();
    throw new Error(`fetch X509-SVID from the SPIRE agent at ${options.agentSocketPath}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  return {
    get: () => current as grpc.Client,
    close: () => {
      watch.close();
      current?.close();
      for (const [c, timer] of retiring) {
        clearTimeout(timer);
        c.close();
      }
      retiring.clear();
    },
  };
}

export async function connectSpire(options: ConnectSpireOptions): Promise<SpireClient> {
  const settings: CallSettings = {
    timeoutMs: options.callTimeoutMs ?? 30_000,
    waitForReady: options.waitForReady ?? true,
    retry: { ...defaultRetryPolicy, ...options.retry },
    ...(options.logger ? { onRetry: (info) => options.logger?.warn(info, 'Retrying SPIRE call') } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  };
  const target = parseServerAddress(options.serverAddress);
  if (target.kind === 'unix' && options.transport === 'http2') return leanUnixClient(target.path, target.target, settings, options);
  let channel: { get: () => grpc.Client; close: () => void };
  if (target.kind === 'unix') {
    const client = new grpc.Client(target.target, grpc.credentials.createInsecure(), reconnectOptions);
    channel = { get: () => client, close: () => client.close() };
  } else {
    const agentSocketPath = options.agentSocketPath;
    if (!agentSocketPath) throw new Error('agent_socket_path must be specified if the server is not a local socket');
    channel = await agentMtlsClient(target.target, { ...options, agentSocketPath }, settings.timeoutMs);
  }
  let closed = false;
  const reconnects = watchReconnects(channel.get, () => closed, options.logger);
  const close = async () => {
    if (closed) return;
    closed = true;
    reconnects.stop();
    channel.close();
  };
  return {
    entries: pagedBatchedEntryStore(grpcEntryRpc(channel.get, settings, close), { ...defaultBatchSizes, ...options.batchSizes }),
    svid: grpcSvidMinter(channel.get, settings),
    onReconnect: reconnects.add,
    close,
  };
}

/**
 * The Entry API over the lean http2 transport on a Unix socket. The SVID API (crd mode's webhook
 * certificate; webhook mode never mints) gets a grpc-js channel the first time it is used.
 */
function leanUnixClient(path: string, grpcTarget: string, settings: CallSettings, options: ConnectSpireOptions): SpireClient {
  const listeners = new Set<() => void>();
  const channel = http2UnaryChannel({
    socketPath: path,
    initialBackoffMs: reconnectOptions['grpc.initial_reconnect_backoff_ms'] as number,
    maxBackoffMs: reconnectOptions['grpc.max_reconnect_backoff_ms'] as number,
    onLost: () => options.logger?.warn({}, 'SPIRE connection lost; reconnecting'),
    onReconnected: () => {
      for (const l of [...listeners]) l();
    },
  });
  let svidClient: grpc.Client | undefined;
  const svidChannel = () => (svidClient ??= new grpc.Client(grpcTarget, grpc.credentials.createInsecure(), reconnectOptions));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    listeners.clear();
    channel.close();
    svidClient?.close();
  };
  return {
    entries: pagedBatchedEntryStore(http2EntryRpc(channel, settings, close), { ...defaultBatchSizes, ...options.batchSizes }),
    svid: grpcSvidMinter(svidChannel, settings),
    onReconnect(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    close,
  };
}

/**
 * Follows the connectivity state of the current channel. Once a connection was lost (the channel left
 * READY), it keeps the channel trying to connect even with no call pending (an idle grpc-js channel
 * would wait for the next call), and tells the listeners when it is READY again. Listeners are only
 * watched while someone listens.
 */
function watchReconnects(get: () => grpc.Client, isClosed: () => boolean, logger?: SpireLogger): { add(l: () => void): () => void; stop(): void } {
  const listeners = new Set<() => void>();
  let watching = false;
  let lost = false;
  let stopped = false;
  const markLost = () => {
    if (!lost) logger?.warn({}, 'SPIRE connection lost; reconnecting');
    lost = true;
  };
  const { READY, TRANSIENT_FAILURE, SHUTDOWN } = grpc.connectivityState;
  const step = () => {
    if (stopped || isClosed() || listeners.size === 0) {
      watching = false;
      return;
    }
    const channel = get().getChannel();
    const state = channel.getConnectivityState(lost);
    if (state === READY && lost) {
      lost = false;
      for (const l of [...listeners]) l();
    } else if (state === TRANSIENT_FAILURE) {
      markLost();
    }
    if (state === SHUTDOWN) {
      // An mTLS rotation replaced the channel; follow the new one.
      setImmediate(step).unref?.();
      return;
    }
    channel.watchConnectivityState(state, Infinity, () => {
      // A READY channel that an mTLS rotation replaced (closed once its calls had their time) lost nothing:
      // the new one reaches the same server. Counting it as lost would have the runtime list every entry
      // again after each rotation.
      if (state === READY && get().getChannel() === channel) markLost();
      step();
    });
  };
  return {
    add(l) {
      listeners.add(l);
      if (!watching) {
        watching = true;
        step();
      }
      return () => void listeners.delete(l);
    },
    stop() {
      stopped = true;
      listeners.clear();
    },
  };
}

// Unary gRPC calls straight over node:http2 on a Unix socket: the lean transport of webhook mode's SPIRE
// client (docs/adr/0008). One long-lived http2 session; each call is one stream carrying one
// length-prefixed message each way (gRPC over HTTP/2: `content-type: application/grpc`, `te: trailers`,
// the deadline in `grpc-timeout`, the outcome in the `grpc-status` / `grpc-message` trailers).
//
// Why not grpc-js here: every grpc-js call builds a chain of call objects (resolving, retrying, load
// balancing, subchannel call, metadata) that hangs off its http2 stream, and a finished stream outlives
// the next scavenge, so each admission's calls were copied and promoted (~12–13 KiB per call, bench/
// README.md "webhook tail"). Here a finished stream reaches nothing: its listeners are removed when it
// closes, and the call's own state is a few locals.
//
// Semantics follow grpc-js where the registrar depends on them: a call is wait-for-ready within its
// deadline (or fails at once with UNAVAILABLE when the socket is not there, `waitForReady: false`); a
// connection lost before the status arrived is UNAVAILABLE (the write's outcome is unknown, as with
// grpc-js); the local deadline and an abort cancel the stream (RST_STREAM CANCEL) and give
// DEADLINE_EXCEEDED / CANCELLED; a response that is not one well-formed message gives INTERNAL, one over
// the receive limit RESOURCE_EXHAUSTED; HTTP statuses and RST_STREAM codes map as grpc-js maps them.
import http2 from 'node:http2';
import net from 'node:net';
import { StatusCode } from '../../handlers/entries/status-code.js';

/** A whole call's failure, shaped like grpc-js's ServiceError (`code`, `details`) so callers treat both alike. */
export class GrpcStatusError extends Error {
  readonly code: number;
  readonly details: string;
  constructor(code: number, details: string, options?: { cause?: unknown }) {
    super(`${code} ${statusName(code)}: ${details}`, options);
    this.name = 'GrpcStatusError';
    this.code = code;
    this.details = details;
  }
}

const names = Object.fromEntries(Object.entries(StatusCode).map(([k, v]) => [v, k])) as Record<number, string>;
function statusName(code: number): string {
  return names[code] ?? 'UNKNOWN';
}

const HANDSHAKE_TIMEOUT_MS = 20_000;

/** grpc-js's default receive limit. */
export const DEFAULT_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

export type Http2UnaryOptions = {
  readonly socketPath: string;
  /** Reconnect delays: first, growth x1.6 with ±20 % jitter, capped (as connect.ts sets grpc-js's). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly maxReceiveBytes?: number;
  /** A connected socket must finish the HTTP/2 handshake within this; default 20 s, as grpc-js. */
  readonly handshakeTimeoutMs?: number;
  readonly random?: () => number;
  /** Once per loss of the connection (or a failed first connect): "SPIRE connection lost; reconnecting". */
  readonly onLost?: () => void;
  /** The session is connected again after a loss. */
  readonly onReconnected?: () => void;
};

export type Http2UnaryChannel = {
  /** One unary call: `message` is the serialized request; resolves to the serialized response. */
  call(path: string, message: Uint8Array, timeoutMs: number, waitForReady: boolean, signal?: AbortSignal): Promise<Buffer>;
  close(): void;
};

const { NGHTTP2_NO_ERROR, NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INADEQUATE_SECURITY } = http2.constants;

/** HTTP status to gRPC code, as grpc-js maps a non-200 answer. */
function httpStatusCode(status: number): number {
  switch (status) {
    case 400: return StatusCode.INTERNAL;
    case 401: return StatusCode.UNAUTHENTICATED;
    case 403: return StatusCode.PERMISSION_DENIED;
    case 404: return StatusCode.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return StatusCode.UNAVAILABLE;
    default: return StatusCode.UNKNOWN;
  }
}

/** A stream reset without a gRPC status on a live connection, as grpc-js reads it. */
function rstError(rstCode: number): GrpcStatusError {
  switch (rstCode) {
    case NGHTTP2_NO_ERROR: return new GrpcStatusError(StatusCode.INTERNAL, `Received RST_STREAM with code ${rstCode} (Call ended without gRPC status)`);
    case NGHTTP2_REFUSED_STREAM: return new GrpcStatusError(StatusCode.UNAVAILABLE, 'Stream refused by server');
    case NGHTTP2_CANCEL: return new GrpcStatusError(StatusCode.CANCELLED, 'Call cancelled');
    case NGHTTP2_ENHANCE_YOUR_CALM: return new GrpcStatusError(StatusCode.RESOURCE_EXHAUSTED, 'Bandwidth exhausted or memory limit exceeded');
    case NGHTTP2_INADEQUATE_SECURITY: return new GrpcStatusError(StatusCode.PERMISSION_DENIED, 'Protocol not secure enough');
    default: return new GrpcStatusError(StatusCode.INTERNAL, `Received RST_STREAM with code ${rstCode}`);
  }
}

function grpcMessage(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** `grpc-timeout`: at most 8 digits and a unit; milliseconds while they fit, else seconds. */
export function grpcTimeout(ms: number): string {
  const m = Math.max(1, Math.ceil(ms));
  return m < 1e8 ? `${m}m` : `${Math.min(99_999_999, Math.ceil(m / 1000))}S`;
}

/** The 5-byte gRPC message prefix (uncompressed) and the message. */
function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

type Waiter = { resolve: (s: http2.ClientHttp2Session) => void; reject: (e: Error) => void };

export function http2UnaryChannel(o: Http2UnaryOptions): Http2UnaryChannel {
  const maxReceive = o.maxReceiveBytes ?? DEFAULT_MAX_RECEIVE_BYTES;
  const handshakeMs = o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  const initialBackoff = o.initialBackoffMs ?? 250;
  const maxBackoff = o.maxBackoffMs ?? 1600;
  const random = o.random ?? Math.random;
  let session: http2.ClientHttp2Session | undefined;
  let connecting: Promise<http2.ClientHttp2Session> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let backoff = initialBackoff;
  let lost = false;
  let closed = false;
  let lastError: Error | undefined;
  const waiters = new Set<Waiter>();

  const markLost = () => {
    if (!lost) o.onLost?.();
    lost = true;
  };

  /** After a failed attempt or a lost session: try again after the backoff, whether or not a call waits. */
  const scheduleRetry = () => {
    if (closed || retryTimer || connecting) return;
    const jittered = backoff * (0.8 + 0.4 * random());
    backoff = Math.min(maxBackoff, backoff * 1.6);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect().catch(() => {});
    }, jittered);
    retryTimer.unref();
  };

  const connect = (): Promise<http2.ClientHttp2Session> => {
    if (session) return Promise.resolve(session);
    connecting ??= new Promise<http2.ClientHttp2Session>((resolve, reject) => {
      const s = http2.connect('http://localhost', { createConnection: () => net.connect(o.socketPath) });
      // A peer that accepts the socket but never speaks HTTP/2 must not hold every later call: give up
      // as grpc-js does (its connect timeout is 20 s) and try again after the backoff.
      const handshake = setTimeout(() => fail(new Error(`no HTTP/2 handshake within ${handshakeMs} ms`)), handshakeMs);
      handshake.unref();
      const fail = (err: Error) => {
        clearTimeout(handshake);
        s.removeListener('remoteSettings', ok);
        s.destroy();
        reject(err);
      };
      const ok = () => {
        clearTimeout(handshake);
        s.removeListener('error', fail);
        s.removeListener('close', closedEarly);
        resolve(s);
      };
      const closedEarly = () => fail(new Error('connection closed before the HTTP/2 handshake'));
      // Ready once the server's SETTINGS arrived ('connect' is only the socket's).
      s.once('remoteSettings', ok);
      s.once('error', fail);
      s.once('close', closedEarly);
    }).then(
      (s) => {
        connecting = undefined;
        if (closed) {
          s.destroy();
          throw new GrpcStatusError(StatusCode.CANCELLED, 'channel closed');
        }
        adopt(s);
        return s;
      },
      (err: Error) => {
        connecting = undefined;
        lastError = err;
        markLost();
        scheduleRetry();
        throw err;
      },
    );
    return connecting;
  };

  const adopt = (s: http2.ClientHttp2Session) => {
    session = s;
    backoff = initialBackoff;
    lastError = undefined;
    // Idle, the session keeps no process alive; a call in flight holds its deadline timer.
    s.unref();
    const drop = () => {
      if (session !== s) return;
      session = undefined;
      if (!closed) {
        markLost();
        scheduleRetry();
      }
    };
    // GOAWAY: the server is going away gracefully; no new streams on this session (those in flight finish
    // or fail on their own). No backoff: the next call opens a new session at once, as grpc-js goes idle
    // (a reconnect timer here made the calls of the next ~250 ms wait for it). Only calls connect, so a
    // server that keeps sending GOAWAY cannot make a loop. Close and error: the connection is gone.
    s.once('goaway', () => {
      if (session !== s) return;
      session = undefined;
      if (!closed) markLost();
    });
    s.once('close', drop);
    s.on('error', (err: Error) => {
      lastError = err;
      drop();
    });
    for (const w of waiters) w.resolve(s);
    waiters.clear();
    if (lost) {
      lost = false;
      o.onReconnected?.();
    }
  };

  function call(path: string, message: Uint8Array, timeoutMs: number, waitForReady: boolean, signal?: AbortSignal): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream | undefined;
      let waiter: Waiter | undefined;
      let settled = false;
      const deadline = Date.now() + timeoutMs;
      const finish = (err: Error | undefined, res?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (waiter) waiters.delete(waiter);
        if (err) reject(err);
        else resolve(res as Buffer);
      };
      const cancel = (err: GrpcStatusError) => {
        if (stream && !stream.closed) stream.close(NGHTTP2_CANCEL);
        finish(err);
      };
      const onAbort = () => cancel(new GrpcStatusError(StatusCode.CANCELLED, 'Cancelled on client', { cause: signal?.reason }));
      const timer = setTimeout(() => cancel(new GrpcStatusError(StatusCode.DEADLINE_EXCEEDED,
        stream ? 'Deadline exceeded' : 'Deadline exceeded while waiting for the SPIRE connection')), timeoutMs);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      const start = (s: http2.ClientHttp2Session) => {
        if (settled) return;
        try {
          stream = s.request({
            ':method': 'POST',
            ':path': path,
            'content-type': 'application/grpc',
            te: 'trailers',
            'grpc-timeout': grpcTimeout(deadline - Date.now()),
          });
        } catch (err) {
          // The session went away between the check and the request (GOAWAY, destroyed).
          return finish(new GrpcStatusError(StatusCode.UNAVAILABLE, (err as Error).message, { cause: err }));
        }
        readResponse(s, stream, maxReceive, finish);
        stream.end(frame(message));
      };
      if (session && !session.closed && !session.destroyed) return start(session);
      if (closed) return finish(new GrpcStatusError(StatusCode.UNAVAILABLE, 'channel closed'));
      if (waitForReady) {
        // Waits for the next session within the deadline: a pending reconnect's, or one started now.
        waiter = { resolve: start, reject: (e) => finish(e) };
        waiters.add(waiter);
        if (!retryTimer) void connect().catch(() => {});
        return;
      }
      // As grpc-js in TRANSIENT_FAILURE: fail now with what the last attempt saw; idle: try once.
      if (lost && !connecting && lastError) return finish(new GrpcStatusError(StatusCode.UNAVAILABLE, lastError.message, { cause: lastError }));
      connect().then(start, (err: Error) => finish(new GrpcStatusError(StatusCode.UNAVAILABLE, err.message, { cause: err })));
    });
  }

  return {
    call,
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      for (const w of waiters) w.reject(new GrpcStatusError(StatusCode.UNAVAILABLE, 'channel closed'));
      waiters.clear();
      session?.close();
      session?.destroy();
      session = undefined;
    },
  };
}

/**
 * Collects one response on `stream` and settles through `finish` when the stream closes. Every listener
 * is removed then, so the finished stream (which lives on until V8 lets go of its native handle) holds
 * none of this call's state.
 */
function readResponse(session: http2.ClientHttp2Session, stream: http2.ClientHttp2Stream, maxReceive: number, finish: (err: Error | undefined, res?: Buffer) => void): void {
  let httpStatus = 0;
  let grpcStatus = -1;
  let details = '';
  let chunks: Buffer[] | undefined;
  let first: Buffer | undefined;
  let received = 0;
  let localError: GrpcStatusError | undefined;

  const readStatus = (h: http2.IncomingHttpHeaders) => {
    const raw = h['grpc-status'];
    if (raw === undefined) return;
    const n = Number(raw);
    grpcStatus = Number.isInteger(n) && n >= 0 && n <= 16 ? n : StatusCode.UNKNOWN;
    details = grpcMessage(h['grpc-message']);
  };
  const onResponse = (h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader) => {
    httpStatus = h[':status'] ?? 0;
    const type = h['content-type'];
    if (httpStatus === 200 && (typeof type !== 'string' || !type.startsWith('application/grpc'))) {
      localError = new GrpcStatusError(StatusCode.UNKNOWN, `Invalid content-type ${String(type)}`);
      stream.close(NGHTTP2_CANCEL);
      return;
    }
    readStatus(h);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxReceive + 5) {
      localError = new GrpcStatusError(StatusCode.RESOURCE_EXHAUSTED, `Received message larger than max (${received - 5} vs ${maxReceive})`);
      stream.close(NGHTTP2_CANCEL);
      return;
    }
    if (!first) first = chunk;
    else (chunks ??= [first]).push(chunk);
  };
  const onTrailers = (h: http2.IncomingHttpHeaders) => readStatus(h);
  const onError = () => {};
  const onClose = () => {
    stream.removeListener('response', onResponse);
    stream.removeListener('data', onData);
    stream.removeListener('trailers', onTrailers);
    stream.removeListener('error', onError);
    stream.removeListener('close', onClose);
    if (localError) return finish(localError);
    if (grpcStatus === -1) {
      // The session gone with the call in flight (Node reports it as a CANCEL or no code): the
      // connection dropped, and the call's outcome is unknown, as grpc-js reports it.
      if (session.destroyed || session.closed) {
        const rst = stream.rstCode;
        if (rst === undefined || rst === NGHTTP2_NO_ERROR || rst === NGHTTP2_CANCEL) return finish(new GrpcStatusError(StatusCode.UNAVAILABLE, 'Connection dropped'));
      }
      if (httpStatus !== 0 && httpStatus !== 200) return finish(new GrpcStatusError(httpStatusCode(httpStatus), `Received HTTP status code ${httpStatus}`));
      return finish(rstError(stream.rstCode ?? NGHTTP2_NO_ERROR));
    }
    if (grpcStatus !== StatusCode.OK) return finish(new GrpcStatusError(grpcStatus, details));
    const body = chunks ? Buffer.concat(chunks) : first;
    const out = unaryMessage(body);
    if (out instanceof GrpcStatusError) return finish(out);
    finish(undefined, out);
  };
  stream.on('response', onResponse);
  stream.on('data', onData);
  stream.on('trailers', onTrailers);
  // Errors end in 'close' (with rstCode), where they are read.
  stream.on('error', onError);
  stream.on('close', onClose);
}

/** The one message of a unary response (the body of an OK status), or why there is not exactly one. */
export function unaryMessage(body: Buffer | undefined): Buffer | GrpcStatusError {
  if (!body || body.length === 0) return new GrpcStatusError(StatusCode.UNIMPLEMENTED, 'No message received');
  if (body.length < 5) return new GrpcStatusError(StatusCode.INTERNAL, 'Response message parsing error: truncated message prefix');
  if (body[0] !== 0) return new GrpcStatusError(StatusCode.INTERNAL, 'Response message parsing error: compressed message without grpc-encoding');
  const len = body.readUInt32BE(1);
  if (body.length < 5 + len) return new GrpcStatusError(StatusCode.INTERNAL, `Response message parsing error: truncated message (${body.length - 5} of ${len} bytes)`);
  if (body.length > 5 + len) return new GrpcStatusError(StatusCode.UNIMPLEMENTED, 'Too many responses received');
  return body.subarray(5);
}

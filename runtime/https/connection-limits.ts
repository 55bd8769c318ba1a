// Bounds on what one client can hold of the HTTPS server. Without them, 100 connections trickling a
// header byte at a time stayed open for a whole 20 s probe and a TLS connection that sent nothing stayed
// open 125 s (Node's defaults: a 120 s handshake timeout, headers checked only every 30 s, no cap).
// The sizes follow the one legitimate client, the API server's webhook client:
//   - it sends a whole review at once and gives up after the webhook's timeoutSeconds (10 s by default,
//     at most 30 s), so a request still arriving after 30 s, or headers after 10 s, serve no one;
//   - it keeps idle connections for reuse and closes them itself after 90 s (Go's transport default);
//     ours outlast that (95 s), since a server-side close racing a reused connection fails that
//     admission (Go does not retry a POST);
//   - it opens about one connection per concurrent admission; 1,024 is far above what one API server
//     keeps, and bounds memory (a TLS connection costs tens of KB) when something else opens more.
import type { Server } from 'node:https';

export type ConnectionLimits = {
  /** A TLS handshake must finish within this (tls.Server handshakeTimeout). */
  readonly handshakeTimeoutMs: number;
  /** A request's headers must have arrived within this. */
  readonly headersTimeoutMs: number;
  /** A whole request (headers and body) must have arrived within this. */
  readonly requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** A socket with no traffic while a request is in progress is closed after this. */
  readonly idleTimeoutMs: number;
  /** How often headers and request timeouts are checked (Node's default is 30 s). */
  readonly checkIntervalMs: number;
  /** Connections beyond this are closed as soon as they are accepted. */
  readonly maxConnections: number;
};

export const defaultConnectionLimits: ConnectionLimits = {
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 95_000,
  idleTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
  maxConnections: 1024,
};

/** The limits Node takes as properties rather than constructor options. */
export function applyConnectionLimits(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
  server.timeout = limits.idleTimeoutMs;
  // With no 'timeout' listener on the server, Node destroys a socket whose timeout fires.
}

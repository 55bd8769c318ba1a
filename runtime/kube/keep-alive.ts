// Connection reuse for client-node's generated API clients. client-node 1.x builds a new http(s).Agent
// for every API call (KubeConfig.applySecurityAuthentication), so no connection is ever reused: every call
// pays a TCP connect and, against a real API server, a full TLS handshake. In crd mode that is three or
// more calls per SpiffeID (bench/README.md). withKeepAlive() returns a KubeConfig whose API clients share
// one keep-alive agent per distinct set of TLS options; proxy agents are left as client-node makes them.
//
// A pooled socket the server has already closed makes the next request on it fail with "socket hang up"
// (the server's idle close and our reuse cross on the wire). Node's free-socket timer (the agent's
// `timeout`, shortened by a server's Keep-Alive: timeout=N hint) closes idle sockets first, but only when
// the event loop runs it: after a pass that kept the loop busy longer than the server's idle timeout, the
// writes it then issues still pick the dead socket before the timer fires. So the age of a free socket is
// also checked, by the clock, at the moment a request would reuse it; a stale one is dropped and a new
// connection made. No request is ever resent: a POST or PATCH the server might have read is not ours to
// repeat.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { KubeConfig } from '@kubernetes/client-node';

export type AgentOptions = Record<string, unknown>;

const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** Same TLS material: buffers by content (client-node reads them afresh for every request), the rest by value. */
function sameTls(a: AgentOptions, b: AgentOptions): boolean {
  return TLS_KEYS.every((k) => {
    const x = a[k];
    const y = b[k];
    return Buffer.isBuffer(x) && Buffer.isBuffer(y) ? x.equals(y) : x === y;
  });
}

/**
 * How long a socket may sit idle in the pool. Below the idle timeouts servers commonly use (Node's
 * http server closes after 5 s and announces it; Go's servers and load balancers use longer ones), so the
 * client is the side that closes. A new connection per idle gap this long costs little.
 */
export const IDLE_SOCKET_MS = 4_000;

export type KeepAliveOptions = {
  /** Monotonic milliseconds; injected by tests. */
  readonly now?: () => number;
  readonly idleSocketMs?: number;
};

type AgentInternals = {
  freeSockets: Record<string, Socket[] | undefined>;
  addRequest(req: unknown, options: unknown): void;
  /** Typed void in @types/node; Node returns whether the socket stays in the pool. */
  keepSocketAlive(socket: Socket): boolean;
};

/** Makes `agent` drop, when a request arrives, the free sockets idle longer than their timeout. */
function dropStaleOnReuse(agent: http.Agent, now: () => number, idleMs: number): http.Agent {
  const freedAt = new WeakMap<Socket, number>();
  const internals = agent as unknown as AgentInternals;
  const keep = internals.keepSocketAlive.bind(agent);
  internals.keepSocketAlive = (socket) => {
    const kept = keep(socket);
    if (kept) freedAt.set(socket, now());
    return kept;
  };
  const addRequest = internals.addRequest.bind(agent);
  internals.addRequest = (req, options) => {
    const t = now();
    // Runs per request, so it looks at one socket per pool: the agent reuses the most recently freed
    // (scheduling 'lifo', Node's default, which these agents keep); while that one is fresh, nothing
    // stale can be picked now. When it is stale, every stale socket of the pool is dropped.
    for (const name in internals.freeSockets) {
      const free = internals.freeSockets[name];
      const last = free?.[free.length - 1];
      if (!free || !last || t - (freedAt.get(last) ?? t) < (last.timeout || idleMs)) continue;
      // socket.timeout is what keepSocketAlive chose: ours, or shorter when the server announced less.
      const stale = free.filter((s) => t - (freedAt.get(s) ?? t) >= (s.timeout || idleMs));
      // Take them out of the pool here: Node removes a destroyed socket only on its 'close' event, later.
      const fresh = free.filter((s) => !stale.includes(s));
      if (fresh.length > 0) internals.freeSockets[name] = fresh;
      else delete internals.freeSockets[name];
      for (const s of stale) s.destroy();
    }
    addRequest(req, options);
  };
  return agent;
}

/** Picks the keep-alive agent for a request's TLS material (`secure`: https; other keys of `options` are ignored), making it on first use. */
export type KeepAliveAgents = (secure: boolean, options: AgentOptions) => http.Agent;

/**
 * Keep-alive agents, one per distinct TLS material (a rotated client certificate gets a new one; the old
 * one's sockets close when idle). At most a few are remembered: an older one is forgotten, not destroyed,
 * so requests still on it finish.
 */
export function keepAliveAgents(opts: KeepAliveOptions = {}): KeepAliveAgents {
  const now = opts.now ?? (() => performance.now());
  const idleMs = opts.idleSocketMs ?? IDLE_SOCKET_MS;
  const pool: { secure: boolean; tls: AgentOptions; agent: http.Agent }[] = [];
  return (secure, options) => {
    for (const p of pool) if (p.secure === secure && sameTls(p.tls, options)) return p.agent;
    // Only the TLS material: whatever else the caller's options hold (headers, a throwaway agent) is not the agent's.
    const tls: AgentOptions = {};
    for (const k of TLS_KEYS) if (options[k] !== undefined) tls[k] = options[k];
    const agentOptions = { ...tls, keepAlive: true, timeout: idleMs };
    const agent = dropStaleOnReuse(secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions), now, idleMs);
    pool.unshift({ secure, tls, agent });
    if (pool.length > 4) pool.pop();
    return agent;
  };
}

export function withKeepAlive(kubeConfig: KubeConfig, opts: KeepAliveOptions = {}): KubeConfig {
  const agents = keepAliveAgents(opts);
  const wrapped = Object.create(kubeConfig) as KubeConfig;
  wrapped.applySecurityAuthentication = async (context) => {
    await kubeConfig.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    const secure = fresh?.constructor === https.Agent;
    if (!fresh || (!secure && fresh.constructor !== http.Agent)) return;
    context.setAgent(agents(secure, (fresh as unknown as { options: AgentOptions }).options));
  };
  return wrapped;
}

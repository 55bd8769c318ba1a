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

type AgentOptions = Record<string, unknown>;

const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function optionsKey(secure: boolean, o: AgentOptions): string {
  const part = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v === undefined ? '' : String(v));
  return [secure ? 'https' : 'http', ...TLS_KEYS.map((k) => part(o[k]))].join('\n');
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
    for (const [name, free] of Object.entries(internals.freeSockets)) {
      if (!free) continue;
      // socket.timeout is what keepSocketAlive chose: ours, or shorter when the server announced less.
      const stale = free.filter((s) => t - (freedAt.get(s) ?? t) >= (s.timeout || idleMs));
      if (stale.length === 0) continue;
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

export function withKeepAlive(kubeConfig: KubeConfig, opts: KeepAliveOptions = {}): KubeConfig {
  const now = opts.now ?? (() => performance.now());
  const idleMs = opts.idleSocketMs ?? IDLE_SOCKET_MS;
  const agents = new Map<string, http.Agent>();
  const wrapped = Object.create(kubeConfig) as KubeConfig;
  wrapped.applySecurityAuthentication = async (context) => {
    await kubeConfig.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    const secure = fresh?.constructor === https.Agent;
    if (!fresh || (!secure && fresh.constructor !== http.Agent)) return;
    const options = (fresh as unknown as { options: AgentOptions }).options;
    const key = optionsKey(secure, options);
    let agent = agents.get(key);
    if (!agent) {
      const agentOptions = { ...options, keepAlive: true, timeout: idleMs };
      agent = dropStaleOnReuse(secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions), now, idleMs);
      agents.set(key, agent);
    }
    context.setAgent(agent);
  };
  return wrapped;
}

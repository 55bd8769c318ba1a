// Connection reuse for client-node's generated API clients. client-node 1.x builds a new http(s).Agent
// for every API call (KubeConfig.applySecurityAuthentication), so no connection is ever reused: every call
// pays a TCP connect and, against a real API server, a full TLS handshake. In crd mode that is three or
// more calls per SpiffeID (bench/README.md). withKeepAlive() returns a KubeConfig whose API clients share
// one keep-alive agent per distinct set of TLS options; proxy agents are left as client-node makes them.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

type AgentOptions = Record<string, unknown>;

const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function optionsKey(secure: boolean, o: AgentOptions): string {
  const part = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v === undefined ? '' : String(v));
  return [secure ? 'https' : 'http', ...TLS_KEYS.map((k) => part(o[k]))].join('\n');
}

export function withKeepAlive(kubeConfig: KubeConfig): KubeConfig {
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
      agent = secure ? new https.Agent({ ...options, keepAlive: true }) : new http.Agent({ ...options, keepAlive: true });
      agents.set(key, agent);
    }
    context.setAgent(agent);
  };
  return wrapped;
}

import assert from 'node:assert/strict';
import http, { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { makeKubeConfig } from '../../adapters/kube-fake/kubeconfig.js';
import { withKeepAlive } from './keep-alive.js';
import { idleClosingServer, SERVER_IDLE_MS } from '../../test/fixtures/idle-closing-server.js';

/** An API server stand-in that answers every GET with a Namespace and counts TCP connections. */
async function countingServer(t: TestContext): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'spire' } }));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

async function threeCalls(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(CoreV1Api);
  for (let i = 0; i < 3; i++) assert.equal((await api.readNamespace({ name: 'spire' })).metadata?.name, 'spire');
}

test('client-node alone opens a new connection for every API call', async (t) => {
  const s = await countingServer(t);
  await threeCalls(makeKubeConfig({ server: s.url }));
  assert.equal(s.connections(), 3);
});

test('withKeepAlive: API calls of one client reuse one connection', async (t) => {
  const s = await countingServer(t);
  await threeCalls(withKeepAlive(makeKubeConfig({ server: s.url })));
  assert.equal(s.connections(), 1);
});

test('withKeepAlive keeps the rest of the KubeConfig (current context, cluster)', () => {
  const kc = makeKubeConfig({ server: 'http://127.0.0.1:1' });
  const wrapped = withKeepAlive(kc);
  assert.equal(wrapped.getCurrentContext(), kc.getCurrentContext());
  assert.equal(wrapped.getCurrentCluster()?.server, 'http://127.0.0.1:1');
});

function get(url: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => (res.resume(), res.on('end', () => resolve(res.statusCode ?? 0)))).on('error', reject);
  });
}

test('the race: a plain keep-alive agent sends the next request on the socket the idle server closes', async (t) => {
  let clock = 0;
  const s = await idleClosingServer(t, () => clock);
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  assert.equal(await get(s.url, agent), 200);
  clock += SERVER_IDLE_MS + 1_000;
  await assert.rejects(get(s.url, agent), (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET');
});

test('withKeepAlive: after an idle gap longer than the server allows, the call opens a new connection instead of failing', async (t) => {
  let clock = 0;
  const s = await idleClosingServer(t, () => clock);
  const api = withKeepAlive(makeKubeConfig({ server: s.url }), { now: () => clock }).makeApiClient(CoreV1Api);
  assert.equal((await api.readNamespace({ name: 'spire' })).metadata?.name, 'spire');
  // The event loop may not have run the free-socket timer (a long synchronous pass): only the clock moved.
  clock += SERVER_IDLE_MS + 1_000;
  assert.equal((await api.readNamespace({ name: 'spire' })).metadata?.name, 'spire');
  assert.equal(s.connections(), 2);
});

test('withKeepAlive: a socket idle for less than its limit is reused', async (t) => {
  let clock = 0;
  const s = await idleClosingServer(t, () => clock);
  // A long real idle limit, so Node's own timer cannot close the socket however slow the machine is.
  const api = withKeepAlive(makeKubeConfig({ server: s.url }), { now: () => clock, idleSocketMs: 60_000 }).makeApiClient(CoreV1Api);
  await api.readNamespace({ name: 'spire' });
  clock += 1_000;
  await api.readNamespace({ name: 'spire' });
  assert.equal(s.connections(), 1);
});

test('withKeepAlive: the idle limit is checked by the clock when a request takes a pooled socket', async (t) => {
  let clock = 0;
  const s = await idleClosingServer(t, () => clock);
  const api = withKeepAlive(makeKubeConfig({ server: s.url }), { now: () => clock, idleSocketMs: 60_000 }).makeApiClient(CoreV1Api);
  await api.readNamespace({ name: 'spire' });
  clock += 60_000;
  await api.readNamespace({ name: 'spire' });
  assert.equal(s.connections(), 2);
});

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { makeKubeConfig } from '../../adapters/kube-fake/kubeconfig.js';
import { withKeepAlive } from './keep-alive.js';

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

// The Workload API watch survives an agent restart: the stream breaks, the client reconnects with
// backoff and picks up whatever SVID the new agent hands out.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { watchX509Svid, type X509Material } from '../../adapters/spire/workload-api-client.js';
import { startWorkloadApi } from '../../adapters/spire-memory/workload-api.js';
import { aMemorySpire } from '../fixtures/spire.js';

const fingerprint = (m: X509Material | string) => new X509Certificate(typeof m === 'string' ? m : m.certChainPem).fingerprint256;

test('first SVID, a pushed rotation, then a reconnect after the agent restarts', async (t) => {
  const spire = await aMemorySpire();
  t.after(() => spire.close());
  const socketPath = join(spire.dir, 'agent.sock');
  let agent = await startWorkloadApi(spire.server.core, { socketPath, spiffeId: 'spiffe://example.org/registrar' });
  t.after(() => agent.close());
  const seen: string[] = [];
  let notify = () => undefined as void;
  const watch = watchX509Svid({ socketPath, onUpdate: (m) => { seen.push(fingerprint(m)); notify(); }, retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 50, multiplier: 2 } });
  t.after(() => watch.close());
  const until = async (n: number) => { while (seen.length < n) await new Promise<void>((r) => { notify = r; }); };

  const first = await watch.first;
  assert.equal(first.spiffeId, 'spiffe://example.org/registrar');
  assert.match(first.keyPem, /^-----BEGIN PRIVATE KEY-----/);
  assert.equal(fingerprint(first.bundlePem), new X509Certificate(spire.server.core.ca.certPem).fingerprint256);

  const rotated = await agent.rotate();
  await until(2);
  assert.equal(seen[1], fingerprint(rotated.certPem));

  await agent.close();
  agent = await startWorkloadApi(spire.server.core, { socketPath, spiffeId: 'spiffe://example.org/registrar' });
  await until(3);
  assert.equal(seen[2], fingerprint(agent.current().certPem));
});

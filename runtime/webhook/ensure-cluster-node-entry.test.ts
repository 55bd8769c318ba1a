import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import { clusterNodeEntry } from '../../handlers/webhook-node/cluster-node-entry.js';
import { flush, manualClock } from '../../test/fixtures/manual-clock.js';
import { createLogger } from '../logger.js';
import { ensureClusterNodeEntry } from './ensure-cluster-node-entry.js';

const config = { trustDomain: 'example.org', cluster: 'k8stest' };

async function setup() {
  const core = await MemorySpireCore.create({ trustDomain: 'example.org' });
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ logLevel: 'debug', logFormat: 'json' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  const clock = manualClock();
  const abort = new AbortController();
  const run = () =>
    ensureClusterNodeEntry({
      store: memoryEntryStore(core),
      config,
      log,
      clock,
      backoff: { minMs: 100, maxMs: 1_000, jitter: 0 },
      signal: abort.signal,
      attemptTimeoutMs: 5_000,
    });
  return { core, lines, clock, abort, run };
}

test('creates the cluster node entry and logs it as "Created pod entry" (the tutorial greps it first)', async () => {
  const s = await setup();
  assert.equal(await s.run(), true);
  const want = clusterNodeEntry(config);
  assert.deepEqual(s.core.entries().map(entryFromWire).map((e) => [e.spiffeId, e.parentId, e.selectors]), [[want.spiffeId, want.parentId, want.selectors]]);
  assert.deepEqual(s.lines.filter((l) => l.msg === 'Created pod entry').map((l) => [l.spiffe_id, l.parent_id, l.selectors]), [
    ['spiffe://example.org/k8s-workload-registrar/k8stest/node', 'spiffe://example.org/spire/server', 'k8s_psat:cluster:k8stest'],
  ]);
});

test('an existing cluster node entry is success (restart of the registrar)', async () => {
  const s = await setup();
  assert.equal(await s.run(), true);
  assert.equal(await s.run(), true);
  assert.equal(s.core.entries().length, 1);
});

test('retries with backoff until SPIRE answers', async () => {
  const s = await setup();
  s.core.faults.unavailable(true);
  let done: boolean | undefined;
  void s.run().then((r) => (done = r));
  await flush();
  assert.equal(done, undefined);
  await s.clock.advance(100); // first retry, still unavailable
  await s.clock.advance(200); // second retry, still unavailable
  assert.equal(done, undefined);
  assert.deepEqual(s.lines.filter((l) => l.msg === 'Cannot register the cluster node entry yet; retrying').map((l) => l.retry_in_ms), [100, 200, 400]);
  s.core.faults.unavailable(false);
  await s.clock.advance(400);
  assert.equal(done, true);
  assert.equal(s.core.entries().length, 1);
});

test('abort while waiting ends with false and no entry', async () => {
  const s = await setup();
  s.core.faults.unavailable(true);
  const result = s.run();
  await flush();
  s.abort.abort();
  assert.equal(await result, false);
  assert.equal(s.core.entries().length, 0);
});

// Fault injection on the in-memory server, seen through the gRPC client: retries with backoff on
// UNAVAILABLE and DEADLINE_EXCEEDED only, then a SpireCallError carrying the code.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { SpireCallError } from '../../adapters/entry-store.js';
import { connectSpire, type ConnectSpireOptions } from '../../adapters/spire/connect.js';
import { aMemorySpire, aWorkloadEntry, type SpireFixture } from '../fixtures/spire.js';

let spire: SpireFixture;

before(async () => {
  spire = await aMemorySpire();
});
afterEach(() => {
  spire.server.core.faults.reset();
  spire.server.core.resetCalls();
});
after(async () => spire?.close());

async function client(options: Partial<ConnectSpireOptions> = {}) {
  return connectSpire({
    serverAddress: spire.server.address, trustDomain: 'example.org', callTimeoutMs: 2000,
    retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 }, ...options,
  });
}

test('an unavailable server is retried up to maxAttempts, then the call rejects with UNAVAILABLE', async (t) => {
  const c = await client();
  t.after(() => c.close());
  spire.server.core.faults.unavailable(true);
  await assert.rejects(c.entries.listEntries(), (err: SpireCallError) => {
    assert.ok(err instanceof SpireCallError);
    assert.equal(err.code, 14);
    assert.match(err.message, /^list entries \(page 1\): /);
    return true;
  });
  assert.equal(spire.server.core.calls().ListEntries, 3);
});

test('a transient UNAVAILABLE is retried and the call succeeds', async (t) => {
  const retries: number[] = [];
  const c = await client({ logger: { info: () => undefined, warn: (obj) => retries.push((obj as { code: number }).code) } });
  t.after(() => c.close());
  spire.server.core.faults.failNth('BatchCreateEntry', 1, 14);
  const [r] = await c.entries.createEntries([aWorkloadEntry('transient')]);
  assert.equal(r?.status.code, 0);
  assert.equal(spire.server.core.calls().BatchCreateEntry, 2);
  assert.deepEqual(retries, [14]);
});

test('other codes are not retried', async (t) => {
  const c = await client();
  t.after(() => c.close());
  spire.server.core.faults.failNth('CountEntries', 1, 7);
  await assert.rejects(c.entries.countEntries(), (err: SpireCallError) => err.code === 7);
  assert.equal(spire.server.core.calls().CountEntries, 1);
});

test('a server that does not answer runs into the deadline: DEADLINE_EXCEEDED after every attempt', async (t) => {
  // The server holds every call (no answer ever), so only the client's deadline can end an attempt; the
  // deadline is long enough for each attempt to reach the server under load, which the count checks.
  const c = await client({ callTimeoutMs: 1000, retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 5 } });
  t.after(() => c.close());
  const held = spire.server.core.faults.hold();
  t.after(() => held.release());
  await assert.rejects(c.entries.countEntries(), (err: SpireCallError) => err.code === 4);
  assert.equal(spire.server.core.calls().CountEntries, 2);
});

test('an aborted signal cancels the call without retrying', async (t) => {
  const c = await client();
  t.after(() => c.close());
  const held = spire.server.core.faults.hold();
  t.after(() => held.release());
  const controller = new AbortController();
  const pending = c.entries.countEntries({}, { signal: controller.signal });
  await held.arrived; // the call is in flight on the server
  controller.abort();
  await assert.rejects(pending, (err: SpireCallError) => err.code === 1);
  assert.equal(spire.server.core.calls().CountEntries, 1);
});

test('a failure on page 2 names the page and rejects the whole listing', async (t) => {
  const c = await client({ batchSizes: { listPage: 1 } });
  t.after(() => c.close());
  await spire.server.entryStore.createEntries([aWorkloadEntry('p1'), aWorkloadEntry('p2')]);
  spire.server.core.faults.failNth('ListEntries', 2, 13);
  await assert.rejects(c.entries.listEntries(), (err: SpireCallError) => err.code === 13 && err.message.startsWith('list entries (page 2): '));
});

test('onCall reports every attempt with its RPC name and code, for the SPIRE call metrics', async (t) => {
  const seen: [string, number][] = [];
  const c = await client({ onCall: (method, code) => seen.push([method, code]) });
  t.after(() => c.close());
  spire.server.core.faults.failNth('BatchCreateEntry', 1, 14);
  await c.entries.createEntries([aWorkloadEntry('counted')]);
  await c.entries.listEntries();
  assert.deepEqual(seen, [['BatchCreateEntry', 14], ['BatchCreateEntry', 0], ['ListEntries', 0], ['ListEntries', 0]]);
});

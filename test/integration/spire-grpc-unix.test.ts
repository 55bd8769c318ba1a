// The gRPC SPIRE client against the in-memory server over a real Unix socket, with batch and page sizes
// of 2 so that paging and batching run with a handful of entries; once with grpc-js, once with the lean
// http2 Entry client (its faults: spire-http2-faults.test.ts).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SpireCallError } from '../../adapters/entry-store.js';
import { connectSpire, type SpireClient } from '../../adapters/spire/connect.js';
import { startMemorySpireServer } from '../../adapters/spire-memory/start.js';
import { createCsr, generateKeyPair } from '../../adapters/x509/index.js';
import { aMemorySpire, aWorkloadEntry, type SpireFixture } from '../fixtures/spire.js';

for (const transport of ['grpc-js', 'http2'] as const) describe(transport, () => {
  let spire: SpireFixture;
  let client: SpireClient;

  before(async () => {
    spire = await aMemorySpire();
    client = await connectSpire({ serverAddress: spire.server.address, trustDomain: 'example.org', batchSizes: { create: 2, update: 2, delete: 2, listPage: 2 }, transport });
  });
  after(async () => {
    await client?.close();
    await spire?.close();
  });

  test('create batches by 2 and returns one result per input, in order, similar entries as ALREADY_EXISTS', async () => {
    spire.server.core.resetCalls();
    const input = [1, 2, 3, 1, 4].map((n) => aWorkloadEntry(`c${n}`));
    const results = await client.entries.createEntries(input);
    assert.deepEqual(results.map((r) => r.status.code), [0, 0, 0, 6, 0]);
    assert.deepEqual(results.map((r) => r.entry?.spiffeId), input.map((e) => e.spiffeId));
    assert.equal(results[3]?.entry?.id, results[0]?.entry?.id);
    assert.equal(spire.server.core.calls().BatchCreateEntry, 3);
  });

  test('list pages through every entry (page size 2 -> ceil(n/2) + 1 calls) and filters convert', async () => {
    spire.server.core.resetCalls();
    const all = await client.entries.listEntries();
    assert.equal(all.length, spire.server.core.entries().length);
    assert.equal(spire.server.core.calls().ListEntries, Math.ceil(all.length / 2) + 1);
    const one = await client.entries.listEntries({ bySelectors: { selectors: [{ type: 'unix', value: 'uid:c2' }], match: 'superset' } });
    assert.deepEqual(one.map((e) => e.spiffeId), ['spiffe://example.org/w/c2']);
    assert.equal(await client.entries.countEntries({ byParentId: 'spiffe://example.org/node/n1' }), all.length);
  });

  test('update with and without a mask; unknown ids are per-item NOT_FOUND', async () => {
    const [a, b] = (await client.entries.createEntries([aWorkloadEntry('u1', { dnsNames: ['u1.example'] }), aWorkloadEntry('u2')])).map((r) => r.entry);
    assert.ok(a && b);
    const masked = await client.entries.updateEntries([{ ...a, admin: true, dnsNames: [] }], { admin: true });
    assert.equal(masked[0]?.entry?.admin, true);
    assert.deepEqual(masked[0]?.entry?.dnsNames, ['u1.example']);
    const full = await client.entries.updateEntries([{ ...a, dnsNames: [] }, { ...b, id: 'missing' }, { ...b, x509SvidTtl: 77 }]);
    assert.deepEqual(full.map((r) => r.status.code), [0, 5, 0]);
    assert.deepEqual(full[0]?.entry?.dnsNames, []);
    assert.equal(full[0]?.entry?.revisionNumber, 2);
    assert.equal(full[2]?.entry?.x509SvidTtl, 77);
  });

  test('delete batches by 2 and echoes ids in order', async () => {
    const created = await client.entries.createEntries([aWorkloadEntry('d1'), aWorkloadEntry('d2'), aWorkloadEntry('d3')]);
    const ids = created.map((r) => r.entry?.id as string);
    spire.server.core.resetCalls();
    const results = await client.entries.deleteEntries([ids[0] as string, 'nope', ids[1] as string, ids[2] as string, ids[0] as string]);
    assert.deepEqual(results.map((r) => [r.id, r.status.code]), [[ids[0], 0], ['nope', 5], [ids[1], 0], [ids[2], 0], [ids[0], 5]]);
    assert.equal(spire.server.core.calls().BatchDeleteEntry, 3);
  });

  test('a whole-call failure rejects with SpireCallError carrying the code', async () => {
    await assert.rejects(client.entries.getEntry('unknown'), (err: SpireCallError) => {
      assert.ok(err instanceof SpireCallError);
      assert.equal(err.code, 5);
      assert.equal(err.message, 'get entry unknown: entry not found');
      return true;
    });
    await assert.rejects(client.entries.listEntries({ bySpiffeId: 'spiffe://other.test/x' }), (err: SpireCallError) => err.code === 3 && /page 1/.test(err.message));
  });

  test('the gRPC client and the in-process store see the same entries', async () => {
    const viaGrpc = await client.entries.listEntries();
    const inProcess = await spire.server.entryStore.listEntries();
    assert.deepEqual(viaGrpc, inProcess);
  });

  test('mints an X509-SVID and fetches the bundle over gRPC', async () => {
    const minted = await client.svid.mintX509Svid(await createCsr({ keys: await generateKeyPair(), uri: 'spiffe://example.org/webhook', dnsNames: ['wh.svc'] }), 300);
    assert.equal(minted.spiffeId, 'spiffe://example.org/webhook');
    assert.equal(minted.certChain.length, 1);
    const roots = await client.svid.x509Authorities();
    assert.deepEqual(roots, [spire.server.core.ca.der]);
    await assert.rejects(client.svid.mintX509Svid(new Uint8Array(), 0), (err: SpireCallError) => err.code === 3 && err.message === 'mint X509-SVID: missing CSR');
  });

  test('a relative socket path works for the server and the client (unix://.sandbox/api.sock is not an authority)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'rel-sock-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const rel = relative(process.cwd(), join(dir, 'api.sock'));
    const server = await startMemorySpireServer({ socketPath: rel });
    t.after(() => server.close());
    const client = await connectSpire({ serverAddress: `unix://${rel}`, trustDomain: 'example.org', retry: { maxAttempts: 1 }, transport });
    t.after(() => client.close());
    assert.deepEqual(await client.entries.listEntries(), []);
  });
});

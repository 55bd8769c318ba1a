import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newEntry } from '../../handlers/entries/entry.js';
import { entryToWire } from '../spire/entry-convert.js';
import { MemorySpireCore } from './core.js';
import { RpcError } from './rpc-error.js';
import { startMemorySpireServer } from './start.js';

const wire = (n: string) => entryToWire(newEntry({ spiffeId: `spiffe://example.org/w/${n}`, parentId: 'spiffe://example.org/n', selectors: [{ type: 'unix', value: `uid:${n}` }] }));

test('ids and created_at come from the injected generator and clock (rounded to the nearest second)', async () => {
  let i = 0;
  const core = await MemorySpireCore.create({ now: () => new Date('2030-01-01T00:00:00.600Z'), newId: () => `id-${++i}` });
  const { results } = await core.batchCreateEntry({ entries: [wire('a'), wire('b')] });
  assert.deepEqual(results.map((r) => [r.entry?.id, r.entry?.created_at]), [['id-1', 1893456001], ['id-2', 1893456001]]);
});

test('a generated id that is taken is drawn again', async () => {
  const ids = ['dup', 'dup', 'fresh'];
  const core = await MemorySpireCore.create({ newId: () => ids.shift() as string });
  await core.batchCreateEntry({ entries: [wire('a')] });
  const { results } = await core.batchCreateEntry({ entries: [wire('b')] });
  assert.equal(results[0]?.entry?.id, 'fresh');
});

test('calls are counted per RPC, including calls that fail, until resetCalls', async () => {
  const core = await MemorySpireCore.create();
  await core.listEntries({});
  await core.listEntries({});
  await assert.rejects(core.getEntry({ id: 'x' }));
  assert.equal(core.calls().ListEntries, 2);
  assert.equal(core.calls().GetEntry, 1);
  core.resetCalls();
  assert.deepEqual(Object.values(core.calls()), new Array(9).fill(0));
});

test('faults: unavailable, then failNth only on the n-th call, then reset', async () => {
  const core = await MemorySpireCore.create();
  core.faults.unavailable(true);
  await assert.rejects(core.countEntries({}), (e: RpcError) => e.code === 14);
  core.faults.unavailable(false);
  core.faults.failNth('CountEntries', 2, 13);
  await core.countEntries({});
  await assert.rejects(core.countEntries({}), (e: RpcError) => e.code === 13);
  await core.countEntries({});
  core.faults.failNth('ListEntries', 1, 4);
  core.faults.reset();
  await core.listEntries({});
});

test('federated bundles: none by default, a list, or any', async () => {
  const e = { ...wire('f'), federates_with: ['fed.test'] };
  for (const [option, code] of [[undefined, 13], [['fed.test'], 0], [['other.test'], 13], ['any', 0]] as const) {
    const core = await MemorySpireCore.create(option === undefined ? {} : { federatedTrustDomains: option });
    const { results } = await core.batchCreateEntry({ entries: [e] });
    assert.equal(results[0]?.status.code, code, String(option));
  }
});

test('entries() hands out copies in creation order', async () => {
  const core = await MemorySpireCore.create();
  await core.batchCreateEntry({ entries: [wire('z'), wire('a')] });
  const list = core.entries();
  assert.deepEqual(list.map((e) => e.spiffe_id?.path), ['/w/z', '/w/a']);
  list[0]?.selectors.push({ type: 'x', value: 'y' });
  assert.equal(core.entries()[0]?.selectors.length, 1);
});

test('seed file in, dump file out (through close)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'spire-seed-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const seed = join(dir, 'seed.json');
  const dump = join(dir, 'dump.json');
  await writeFile(seed, JSON.stringify({ entries: [{ id: 'seeded-1', spiffeId: 'spiffe://example.org/s', parentId: 'spiffe://example.org/n', selectors: [{ type: 'k8s', value: 'ns:a' }], dnsNames: ['s.a'] }] }));
  const server = await startMemorySpireServer({ socketPath: join(dir, 'api.sock'), seedFile: seed, dumpFile: dump });
  assert.deepEqual(server.core.entries().map((e) => e.id), ['seeded-1']);
  assert.equal(server.core.calls().BatchCreateEntry, 0);
  await server.entryStore.deleteEntries(['seeded-1']);
  await server.entryStore.createEntries([newEntry({ spiffeId: 'spiffe://example.org/t', parentId: 'spiffe://example.org/n', selectors: [{ type: 'k8s', value: 'ns:b' }] })]);
  await server.close();
  const dumped = JSON.parse(await readFile(dump, 'utf8')) as { entries: { spiffeId: string; revisionNumber: number }[] };
  assert.deepEqual(dumped.entries.map((e) => [e.spiffeId, e.revisionNumber]), [['spiffe://example.org/t', 0]]);
});

test('a seed file that does not validate is refused with the server message', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'spire-seed-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const seed = join(dir, 'seed.json');
  await writeFile(seed, JSON.stringify({ entries: [{ spiffeId: 'spiffe://example.org/s', parentId: 'spiffe://example.org/n', selectors: [] }] }));
  await assert.rejects(startMemorySpireServer({ socketPath: join(dir, 'api.sock'), seedFile: seed }), /selector list is empty/);
  await writeFile(seed, JSON.stringify({ entries: [{ spiffeId: 1 }] }));
  await assert.rejects(startMemorySpireServer({ socketPath: join(dir, 'api.sock'), seedFile: seed }), /seed file .* is invalid: entries\.0\.spiffeId/);
});

test('by_downstream with paging is applied after the page window, so a window without downstream entries ends the listing (SPIRE quirk)', async () => {
  const core = await MemorySpireCore.create();
  await core.batchCreateEntry({ entries: [wire('a'), wire('b'), { ...wire('c'), downstream: true }] });
  const filter = { by_downstream: { value: true } };
  assert.deepEqual(await core.listEntries({ filter, page_size: 2 }), { entries: [], next_page_token: '' });
  const all = await core.listEntries({ filter, page_size: 0 });
  assert.deepEqual(all.entries.map((e) => e.spiffe_id?.path), ['/w/c']);
  assert.equal((await core.countEntries({ filter })).count, 1);
});

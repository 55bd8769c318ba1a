import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import { newEntry } from '../../handlers/entries/entry.js';
import { selector } from '../../handlers/entries/selectors.js';
import { clusterNodeEntry, clusterNodeId } from '../../handlers/webhook-node/cluster-node-entry.js';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { createLogger } from '../logger.js';
import { createWebhookUpkeep } from './webhook-upkeep.js';

const config = { trustDomain: 'example.org', cluster: 'k8stest', disabledNamespaces: ['kube-system'] };

async function setup(pods?: Parameters<typeof aPod>[0][]) {
  const core = await MemorySpireCore.create({ trustDomain: 'example.org' });
  const store = memoryEntryStore(core);
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ logLevel: 'debug', logFormat: 'json' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  const cache = pods ? { list: () => pods.map((p) => aPod(p)), synced: async () => {} } : undefined;
  const upkeep = createWebhookUpkeep({ store, config, log, ...(cache ? { pods: cache } : {}) });
  const ids = () => core.entries().map(entryFromWire).map((e) => e.spiffeId).sort();
  return { core, store, lines, upkeep, ids };
}

test('the node entry is registered again only when missing; present, it costs one call and writes nothing', async () => {
  const s = await setup();
  await s.store.createEntries([clusterNodeEntry(config)]);
  s.core.resetCalls();
  assert.equal((await s.upkeep(new AbortController().signal)).nodeEntryCreated, false);
  assert.deepEqual(s.core.calls().BatchCreateEntry, 1);
  assert.equal(s.lines.some((l) => l.msg === 'Cluster node entry was missing; registered it again'), false);

  await s.store.deleteEntries(s.core.entries().map((e) => e.id));
  assert.equal((await s.upkeep(new AbortController().signal)).nodeEntryCreated, true);
  assert.deepEqual(s.ids(), [clusterNodeId(config)]);
  assert.ok(s.lines.some((l) => l.msg === 'Cluster node entry was missing; registered it again'));
  assert.equal(s.core.calls().ListEntries, 0, 'no listing without the catch-up');
});

test('the catch-up writes what the pods call for, and a second pass writes nothing', async () => {
  const s = await setup([{ name: 'a' }, { name: 'b', namespace: 'default' }, { name: 'sys', namespace: 'kube-system' }]);
  const gone = newEntry({ spiffeId: 'spiffe://example.org/ns/spire/sa/default', parentId: clusterNodeId(config), selectors: [selector('k8s', 'ns:spire'), selector('k8s', 'pod-name:gone')] });
  await s.store.createEntries([gone]);
  const first = await s.upkeep(new AbortController().signal);
  assert.deepEqual([first.created, first.deleted, first.failed], [2, 1, 0]);
  assert.deepEqual(s.ids(), [clusterNodeId(config), 'spiffe://example.org/ns/default/sa/default', 'spiffe://example.org/ns/spire/sa/default']);
  s.core.resetCalls();
  const second = await s.upkeep(new AbortController().signal);
  assert.deepEqual([second.created, second.updated, second.deleted], [0, 0, 0]);
  assert.deepEqual(s.core.calls().BatchDeleteEntry, 0);
  assert.deepEqual(s.core.calls().BatchCreateEntry, 1, 'only the node entry check');
});

test('shutdown ends a pass that waits for a pods cache that never syncs (e.g. no RBAC to list pods)', async () => {
  const core = await MemorySpireCore.create({ trustDomain: 'example.org' });
  const log = createLogger({ logLevel: 'error', logFormat: 'json' }, { write: () => {} });
  let waiting!: () => void;
  const reached = new Promise<void>((r) => (waiting = r));
  const never = { list: () => [], synced: () => (waiting(), new Promise<void>(() => {})) };
  const upkeep = createWebhookUpkeep({ store: memoryEntryStore(core), config, log, pods: never });
  const ac = new AbortController();
  const pass = upkeep(ac.signal);
  await reached;
  ac.abort();
  await assert.rejects(pass, { name: 'AbortError' });
  assert.equal(core.calls().ListEntries ?? 0, 0, 'no catch-up listing after the abort');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { entryToWire } from '../../adapters/spire/entry-convert.js';
import { newEntry } from '../../handlers/entries/entry.js';
import { podOfEntry, trackEntries } from './entry-tracker.js';

const podEntry = (name: string) =>
  entryToWire(newEntry({
    spiffeId: 'spiffe://example.org/app',
    parentId: 'spiffe://example.org/node/n1',
    selectors: [{ type: 'k8s', value: 'ns:bench-1' }, { type: 'k8s', value: `pod-name:${name}` }],
  }));

test('counts entries through the core write path and reports each created and deleted entry once', async () => {
  const core = await MemorySpireCore.create({ trustDomain: 'example.org' });
  const tracker = trackEntries(core);
  const seen: string[] = [];
  tracker.onEvent((e) => seen.push(`${e.kind} ${podOfEntry(e.entry)}`));
  const created = await core.batchCreateEntry({ entries: [podEntry('a'), podEntry('b'), podEntry('a')] });
  assert.equal(tracker.count, 2); // the third is ALREADY_EXISTS: no event
  await core.batchDeleteEntry({ ids: [created.results[0]?.entry?.id as string, 'missing'] });
  assert.deepEqual([tracker.count, tracker.created, tracker.deleted], [1, 2, 1]);
  assert.deepEqual(seen, ['created bench-1/a', 'created bench-1/b', 'deleted bench-1/a']);
});

test('until() resolves on a write that makes the check true, and rejects after the timeout', async () => {
  const core = await MemorySpireCore.create({ trustDomain: 'example.org' });
  const tracker = trackEntries(core);
  const done = tracker.until('one entry', () => tracker.count === 1, 5_000);
  await core.batchCreateEntry({ entries: [podEntry('a')] });
  assert.equal(typeof (await done), 'number');
  await assert.rejects(tracker.until('two entries', () => tracker.count === 2, 60), /timed out after 60 ms waiting for two entries/);
});

test('podOfEntry reads ns and pod-name (or a bench pod-uid) selectors, and nothing else', () => {
  assert.equal(podOfEntry(podEntry('web-0')), 'bench-1/web-0');
  const byUid = { ...podEntry('x'), selectors: [{ type: 'k8s', value: 'ns:bench-1' }, { type: 'k8s', value: 'pod-uid:uid-web-0' }] };
  assert.equal(podOfEntry(byUid), 'bench-1/web-0');
  assert.equal(podOfEntry({ ...podEntry('x'), selectors: [{ type: 'k8s_psat', value: 'agent_node_name:n1' }] }), undefined);
});

// The two paths of the slice index the oracle (crd-slice.test.ts) cannot check: the size limit (it always
// passes an unbounded one) and seedEntries (it seeds as crd-pass.ts does, but a seed only widens a slice,
// which its checks accept whether or not the seed was needed). The pass level of both is in
// crd-pass-sliced.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { aSpiffeId, crdTestConfig } from '../../test/fixtures/spiffeid.js';
import { createCrdPlanCache } from './crd-plan-cache.js';
import { CrdSliceIndex, type EntryLookup } from './crd-slice.js';

const cfg = crdTestConfig;
const checked = checkCrdTemplates({ ...cfg, dnsNameTemplates: [] });
if (!checked.ok) throw new Error(checked.error);
const templates = checked.templates;

/** SPIRE holds no entries: the closure then reaches SpiffeIDs through the index alone. */
const noEntries: EntryLookup = { get: () => undefined, idsUnderKey: () => [] };
const none = new Map<string, SpiffeId>();

/** 40 hand-made SpiffeIDs declaring one entry (one masking group) and one declaring its own. */
function cluster() {
  const cache = createCrdPlanCache(cfg, templates);
  const index = new CrdSliceIndex(cfg, cache);
  const dups = Array.from({ length: 40 }, (_, i) => aSpiffeId({ name: `dup-${i}`, namespace: 'ns', spiffeId: 'spiffe://example.org/same', selector: { namespace: 'ns', podName: 'p' } }));
  const lone = aSpiffeId({ name: 'lone', namespace: 'ns', spiffeId: 'spiffe://example.org/lone', selector: { namespace: 'ns', podName: 'q' } });
  const spiffeIds = [...dups, lone];
  index.rebuild({ nodes: [], pods: [], endpointSlices: [], spiffeIds });
  return { cache, index, dups, lone, spiffeIds };
}

test('a closure past the limit gives no slice (the caller runs a full pass); a small one within it does', () => {
  const c = cluster();
  const touch = (s: SpiffeId) => c.index.apply('spiffeids', `ns/${s.metadata.name}`, s);

  // One duplicate changed: its closure is every SpiffeID of the group (masking), over 40 units.
  touch(c.dups[0] as SpiffeId);
  const all = c.index.slice(noEntries, none, Number.POSITIVE_INFINITY);
  assert.equal(all?.names.size, 40);
  touch(c.dups[0] as SpiffeId);
  assert.equal(c.index.slice(noEntries, none, 20), undefined, 'past the limit');
  // The marks were consumed by the slice that gave up: the full pass the caller runs covers them, and
  // sync() then starts the next slice from nothing.
  c.index.sync({ nodes: [], pods: [], endpointSlices: [], spiffeIds: c.spiffeIds });
  assert.ok(c.index.ready, 'the full pass leaves the index ready for the next slice');
  assert.equal(c.index.slice(noEntries, none, 20)?.names.size, 0);

  // The lone SpiffeID reaches a few units (name, key, own entry ID): within the same limit.
  touch(c.lone);
  assert.deepEqual([...(c.index.slice(noEntries, none, 20)?.names ?? [])], ['ns/lone']);
  // The limit counts units, not names: one unit is past a limit of 0.
  touch(c.lone);
  assert.equal(c.index.slice(noEntries, none, 0), undefined);
});

test('seedEntries: the entries a pass wrote bring into the next slice the SpiffeIDs wanting their old keys and owning their IDs', () => {
  const c = cluster();
  const facts = c.cache.spiffeIds.facts(c.lone);
  // Nothing marked: an empty slice.
  assert.equal(c.index.slice(noEntries, none, Number.POSITIVE_INFINITY)?.names.size, 0);
  // An entry deleted from under the key the lone SpiffeID wants (the key is left free): it is planned again.
  c.index.seedEntries(['some-deleted-entry'], [facts.wantKey]);
  assert.deepEqual([...(c.index.slice(noEntries, none, Number.POSITIVE_INFINITY)?.names ?? [])], ['ns/lone']);
  // Its own entry written (created, updated or deleted), key unknown to the pass: it is planned again.
  c.index.seedEntries([facts.ownEntryId], []);
  assert.deepEqual([...(c.index.slice(noEntries, none, Number.POSITIVE_INFINITY)?.names ?? [])], ['ns/lone']);
  // The old key of the group's entry: every duplicate (one of them now gets it).
  c.index.seedEntries([], [c.cache.spiffeIds.facts(c.dups[3] as SpiffeId).wantKey]);
  assert.equal(c.index.slice(noEntries, none, Number.POSITIVE_INFINITY)?.names.size, 40);
  // Seeds last one slice: consumed.
  assert.equal(c.index.slice(noEntries, none, Number.POSITIVE_INFINITY)?.names.size, 0);
});

// BatchCreateEntry rules (docs/spire-entry-api.md 2.1-2.3, checklist 2.10 items 1, 2, 9).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as W from '../../adapters/spire/wire-types.js';
import { anEntry, entryCall, forEachTarget } from './harness.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

forEachTarget('BatchCreateEntry', (target) => {
  test('a new entry gets a UUIDv4 id, revision 0, a whole-second created_at and status "OK"', async () => {
    const t = target();
    const before = Math.floor(Date.now() / 1000) - 2;
    const [r] = await t.create([anEntry(t, 'new', { revision_number: 7, created_at: 5 })]);
    assert.deepEqual(r?.status, { code: 0, message: 'OK' });
    assert.match(r?.entry?.id ?? '', UUID_V4);
    assert.equal(r?.entry?.revision_number, 0);
    assert.ok((r?.entry?.created_at ?? 0) >= before && (r?.entry?.created_at ?? 0) <= before + 10);
    assert.equal(Number.isInteger(r?.entry?.created_at), true);
  });

  test('a similar entry gives ALREADY_EXISTS with the existing entry, unchanged (selector order, id and TTL ignored)', async () => {
    const t = target();
    const sels = [{ type: 'unix', value: 'uid:s1' }, { type: 'unix', value: 'gid:s1' }];
    const [first] = await t.create([anEntry(t, 's1', { selectors: sels, x509_svid_ttl: 100 })]);
    const [again] = await t.create([anEntry(t, 's1', { id: 'custom-similar', selectors: [...sels].reverse(), x509_svid_ttl: 200, admin: true })]);
    assert.equal(again?.status.code, 6);
    assert.equal(again?.status.message, 'similar entry already exists');
    assert.equal(again?.entry?.id, first?.entry?.id);
    assert.equal(again?.entry?.x509_svid_ttl, 100);
    const stored = await entryCall<W.WireEntry>(t, 'GetEntry', { id: first?.entry?.id });
    assert.equal(stored.admin, false);
    assert.equal(stored.revision_number, 0);
  });

  test('one result per input in input order; a later item sees an earlier one; an empty batch gives no results', async () => {
    const t = target();
    const results = await t.create([anEntry(t, 'b1'), anEntry(t, 'b2'), anEntry(t, 'b1', { x509_svid_ttl: 5 }), { ...anEntry(t, 'b3'), selectors: [] }]);
    assert.deepEqual(results.map((r) => r.status.code), [0, 0, 6, 3]);
    assert.equal(results[2]?.entry?.id, results[0]?.entry?.id);
    assert.equal(results[3]?.entry, null);
    assert.deepEqual(await t.create([]), []);
  });

  test('a custom id is kept; a taken id on a different tuple gives ALREADY_EXISTS without an entry', async () => {
    const t = target();
    const id = `${t.prefix.slice(1)}-custom.id_1`;
    const [ok] = await t.create([anEntry(t, 'c1', { id })]);
    assert.equal(ok?.entry?.id, id);
    const [taken] = await t.create([anEntry(t, 'c2', { id })]);
    assert.equal(taken?.status.code, 6);
    assert.equal(taken?.entry, null);
  });

  test('crd mode\'s entry IDs (a per-cluster prefix + a Kubernetes UID) are accepted and found by GetEntry', async () => {
    const t = target();
    const id = `k8s-workload-registrar.k8stest${t.prefix.replace('/', '-')}.0b7e1c2a-3d4f-4a5b-8c6d-7e8f9a0b1c2d`;
    const [ok] = await t.create([anEntry(t, 'r1', { id })]);
    assert.equal(ok?.status.code, 0);
    assert.equal((await entryCall<W.WireEntry>(t, 'GetEntry', { id })).id, id);
    // A similar entry wins over the requested ID: the result carries the existing entry's ID, not ours.
    const [again] = await t.create([anEntry(t, 'r1', { id: `${id}-other` })]);
    assert.equal(again?.status.code, 6);
    assert.equal(again?.entry?.id, id);
  });

  test('duplicate selectors or DNS names inside one entry give ALREADY_EXISTS without an entry', async () => {
    const t = target();
    const sel = { type: 'unix', value: 'uid:d1' };
    const [dupSel, dupDns] = await t.create([anEntry(t, 'd1', { selectors: [sel, sel] }), anEntry(t, 'd2', { dns_names: ['a.example', 'a.example'] })]);
    assert.equal(dupSel?.status.code, 6);
    assert.equal(dupSel?.entry, null);
    assert.equal(dupDns?.status.code, 6);
    assert.equal(dupDns?.entry, null);
  });

  test('output_mask applies to created and similar entries; id always survives', async () => {
    const t = target();
    const [r] = await t.create([anEntry(t, 'm1', { dns_names: ['m1.example'], x509_svid_ttl: 60 })], { dns_names: true });
    assert.ok(r?.entry?.id);
    assert.deepEqual(r?.entry?.dns_names, ['m1.example']);
    assert.equal(r?.entry?.spiffe_id, null);
    assert.equal(r?.entry?.x509_svid_ttl, 0);
    const [similar] = await t.create([anEntry(t, 'm1')], { x509_svid_ttl: true });
    assert.equal(similar?.entry?.id, r?.entry?.id);
    assert.equal(similar?.entry?.x509_svid_ttl, 60);
    assert.deepEqual(similar?.entry?.dns_names, []);
  });

  test('parent IDs under /spire are allowed (agent IDs)', async () => {
    const t = target();
    const [r] = await t.create([anEntry(t, 'p1', { parent_id: t.id(`/spire/agent/x${t.prefix}`) })]);
    assert.equal(r?.status.code, 0);
    await entryCall(t, 'BatchDeleteEntry', { ids: [r?.entry?.id] });
  });

  test('federates_with without a federated bundle fails the item with INTERNAL', async () => {
    const t = target();
    const [r] = await t.create([anEntry(t, 'f0', { federates_with: ['no-bundle.test'] })]);
    assert.deepEqual(r?.status, { code: 13, message: 'failed to create entry: unable to find federated bundle "spiffe://no-bundle.test"' });
  });

  test('federates_with is stored as bare names, duplicates merged', { skip: false }, async (tc) => {
    const t = target();
    if (t.federated.length === 0) return tc.skip('no federated bundles on this server (SPIRE_CONTRACT_FEDERATED)');
    const td = t.federated[0] as string;
    const [r] = await t.create([anEntry(t, 'f1', { federates_with: [`spiffe://${td}`, td] })]);
    assert.equal(r?.status.code, 0);
    assert.deepEqual(r?.entry?.federates_with, [td]);
  });
});

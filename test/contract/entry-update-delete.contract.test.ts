// BatchUpdateEntry, BatchDeleteEntry and GetEntry (docs/spire-entry-api.md 2.4, 2.5; checklist 3, 4).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as W from '../../adapters/spire/wire-types.js';
import { anEntry, entryCall, forEachTarget, rejectsWith, type Target } from './harness.js';

async function created(t: Target, n: string, overrides: Partial<W.WireEntry> = {}): Promise<W.WireEntry> {
  const [r] = await t.create([anEntry(t, n, overrides)]);
  assert.equal(r?.status.code, 0, r?.status.message);
  return r?.entry as W.WireEntry;
}

const update = (t: Target, req: object) => entryCall<W.BatchEntryResponse>(t, 'BatchUpdateEntry', req);

forEachTarget('BatchUpdateEntry / BatchDeleteEntry / GetEntry', (target) => {
  test('a null input_mask is a full replace: omitted DNS names and admin are cleared; revision +1; created_at kept', async () => {
    const t = target();
    const e = await created(t, 'u1', { dns_names: ['u1.example'], admin: true, x509_svid_ttl: 30 });
    const { results: [r] } = await update(t, { entries: [{ ...anEntry(t, 'u1'), id: e.id, x509_svid_ttl: 60 }] });
    assert.equal(r?.status.code, 0, r?.status.message);
    assert.deepEqual(r?.entry?.dns_names, []);
    assert.equal(r?.entry?.admin, false);
    assert.equal(r?.entry?.x509_svid_ttl, 60);
    assert.equal(r?.entry?.revision_number, 1);
    assert.equal(r?.entry?.created_at, e.created_at);
  });

  test('with a mask only marked fields change, the rest may be omitted; an all-false mask still bumps the revision', async () => {
    const t = target();
    const e = await created(t, 'u2', { dns_names: ['keep.example'], x509_svid_ttl: 30 });
    const { results: [r] } = await update(t, { entries: [{ id: e.id, admin: true, x509_svid_ttl: 999 }], input_mask: { admin: true } });
    assert.equal(r?.status.code, 0, r?.status.message);
    assert.equal(r?.entry?.admin, true);
    assert.equal(r?.entry?.x509_svid_ttl, 30);
    assert.deepEqual(r?.entry?.dns_names, ['keep.example']);
    const { results: [r2] } = await update(t, { entries: [{ id: e.id }], input_mask: {} });
    assert.equal(r2?.entry?.revision_number, 2);
  });

  test('written selectors and DNS names replace the old lists in the order given', async () => {
    const t = target();
    const e = await created(t, 'u3', { dns_names: ['a.example'] });
    const sels = [{ type: 'unix', value: 'uid:u3' }, { type: 'unix', value: 'gid:0' }];
    const { results: [r] } = await update(t, { entries: [{ id: e.id, selectors: sels, dns_names: ['z.example', 'b.example'] }], input_mask: { selectors: true, dns_names: true } });
    assert.deepEqual(r?.entry?.selectors, sels);
    assert.deepEqual(r?.entry?.dns_names, ['z.example', 'b.example']);
  });

  test('an unknown or empty id is NOT_FOUND "failed to update entry" for that item', async () => {
    const t = target();
    const { results } = await update(t, { entries: [{ id: 'does-not-exist', admin: true }, { id: '', admin: true }], input_mask: { admin: true } });
    assert.deepEqual(results.map((r) => [r.status.code, r.status.message, r.entry]), [[5, 'failed to update entry', null], [5, 'failed to update entry', null]]);
  });

  test('update does not check for similar entries', async () => {
    const t = target();
    const a = await created(t, 'u4a');
    await created(t, 'u4b');
    const { results: [r] } = await update(t, { entries: [{ id: a.id, spiffe_id: t.id(`${t.prefix}/workload/u4b`), selectors: [{ type: 'unix', value: 'uid:u4b' }] }], input_mask: { spiffe_id: true, selectors: true } });
    assert.equal(r?.status.code, 0, r?.status.message);
  });

  test('update validates masked fields with the update prefix', async () => {
    const t = target();
    const e = await created(t, 'u5');
    const { results: [r] } = await update(t, { entries: [{ id: e.id, x509_svid_ttl: -5 }], input_mask: { x509_svid_ttl: true } });
    assert.deepEqual(r?.status, { code: 3, message: 'failed to update entry: datastore-validation: invalid registration entry: X509SvidTtl is not set' });
    const { results: [r2] } = await update(t, { entries: [{ id: e.id, selectors: [] }], input_mask: { selectors: true } });
    assert.deepEqual(r2?.status, { code: 3, message: 'failed to convert entry: selector list is empty' });
  });

  test('delete echoes ids: OK, then NOT_FOUND for a repeat or unknown id, INVALID_ARGUMENT for an empty id', async () => {
    const t = target();
    const e = await created(t, 'd1');
    const res = await entryCall<W.BatchDeleteEntryResponse>(t, 'BatchDeleteEntry', { ids: [e.id, e.id, 'unknown-id', ''] });
    assert.deepEqual(res.results.map((r) => [r.id, r.status.code, r.status.message]), [
      [e.id, 0, 'OK'], [e.id, 5, 'entry not found'], ['unknown-id', 5, 'entry not found'], ['', 3, 'missing entry ID'],
    ]);
  });

  test('GetEntry: NOT_FOUND for an unknown id and INVALID_ARGUMENT for an empty one, for the whole RPC', async () => {
    const t = target();
    await rejectsWith(entryCall(t, 'GetEntry', { id: 'unknown-id' }), 5, 'entry not found');
    await rejectsWith(entryCall(t, 'GetEntry', { id: '' }), 3, 'missing ID');
  });

  test('GetEntry applies the output mask and keeps the id', async () => {
    const t = target();
    const e = await created(t, 'g1', { hint: 'h1', admin: true });
    const got = await entryCall<W.WireEntry>(t, 'GetEntry', { id: e.id, output_mask: { hint: true } });
    assert.equal(got.id, e.id);
    assert.equal(got.hint, 'h1');
    assert.equal(got.admin, false);
    assert.equal(got.spiffe_id, null);
    assert.deepEqual(got.selectors, []);
  });
});

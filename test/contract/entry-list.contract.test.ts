// ListEntries and CountEntries: filters, match behaviours, paging and masks (docs/spire-entry-api.md
// 2.6, 2.7; checklist 5-8). Each test lists under its own parent ID so other entries do not interfere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as W from '../../adapters/spire/wire-types.js';
import { entryCall, forEachTarget, rejectsWith, type Target } from './harness.js';

const sel = (v: string) => { const [type, value] = v.split('=') as [string, string]; return { type, value }; };

async function family(t: Target, parent: string, specs: { n: string; sels: string[]; extra?: Partial<W.WireEntry> }[]): Promise<Map<string, string>> {
  const results = await t.create(specs.map((s) => ({
    spiffe_id: t.id(`${t.prefix}/${parent}/${s.n}`), parent_id: t.id(`${t.prefix}/${parent}`), selectors: s.sels.map(sel), ...s.extra,
  })));
  results.forEach((r) => assert.equal(r.status.code, 0, r.status.message));
  return new Map(specs.map((s, i) => [results[i]?.entry?.id as string, s.n]));
}

async function names(t: Target, parent: string, ids: Map<string, string>, filter: W.WireEntryFilter = {}): Promise<string[]> {
  const res = await entryCall<W.ListEntriesResponse>(t, 'ListEntries', { filter: { by_parent_id: t.id(`${t.prefix}/${parent}`), ...filter } });
  return res.entries.map((e) => ids.get(e.id) ?? `?${e.id}`).sort();
}

forEachTarget('ListEntries / CountEntries', (target) => {
  test('selector match behaviours: EXACT E=F, SUBSET E⊆F, SUPERSET E⊇F, ANY E∩F≠∅', async () => {
    const t = target();
    const ids = await family(t, 'sm', [{ n: 'e1', sels: ['a=1'] }, { n: 'e2', sels: ['b=2'] }, { n: 'e3', sels: ['a=1', 'b=2'] }, { n: 'e4', sels: ['c=3'] }]);
    const by = (sels: string[], match: number) => names(t, 'sm', ids, { by_selectors: { selectors: sels.map(sel), match } });
    assert.deepEqual(await by(['a=1', 'b=2'], 0), ['e3']);
    assert.deepEqual(await by(['a=1', 'b=2'], 1), ['e1', 'e2', 'e3']);
    assert.deepEqual(await by(['a=1', 'b=2'], 2), ['e3']);
    assert.deepEqual(await by(['a=1', 'b=2'], 3), ['e1', 'e2', 'e3']);
    assert.deepEqual(await by(['a=1'], 0), ['e1']);
    assert.deepEqual(await by(['a=1'], 1), ['e1'], 'SUBSET [a:1] returns e1 only, not e3 (the proto comment is wrong)');
    assert.deepEqual(await by(['a=1'], 2), ['e1', 'e3']);
    assert.deepEqual(await by(['a=1'], 3), ['e1', 'e3']);
  });

  test('by_spiffe_id is exact; by_hint "" and by_downstream false are no-ops; by_downstream true keeps downstream only', async () => {
    const t = target();
    const ids = await family(t, 'fl', [{ n: 'x', sels: ['k=x'], extra: { hint: 'hx', downstream: true } }, { n: 'y', sels: ['k=y'] }]);
    assert.deepEqual(await names(t, 'fl', ids, { by_spiffe_id: t.id(`${t.prefix}/fl/x`) }), ['x']);
    assert.deepEqual(await names(t, 'fl', ids, { by_hint: { value: 'hx' } }), ['x']);
    assert.deepEqual(await names(t, 'fl', ids, { by_hint: { value: '' } }), ['x', 'y']);
    assert.deepEqual(await names(t, 'fl', ids, { by_downstream: { value: false } }), ['x', 'y']);
    assert.deepEqual(await names(t, 'fl', ids, { by_downstream: { value: true } }), ['x']);
    const count = await entryCall<W.CountEntriesResponse>(t, 'CountEntries', { filter: { by_parent_id: t.id(`${t.prefix}/fl`), by_hint: { value: 'hx' } } });
    assert.equal(count.count, 1);
  });

  test('malformed filters fail the whole RPC with INVALID_ARGUMENT (List and Count alike)', async () => {
    const t = target();
    const list = (filter: object) => entryCall(t, 'ListEntries', { filter });
    await rejectsWith(list({ by_spiffe_id: { trust_domain: 'other.test', path: '/x' } }), 3, /^malformed SPIFFE ID filter: /);
    await rejectsWith(list({ by_spiffe_id: t.id('/spire/agent/x') }), 3, /^malformed SPIFFE ID filter: .*reserved namespace/);
    await rejectsWith(list({ by_spiffe_id: t.id('') }), 3, /^malformed SPIFFE ID filter: /);
    await rejectsWith(list({ by_parent_id: { trust_domain: 'other.test', path: '/x' } }), 3, /^malformed parent ID filter: /);
    await rejectsWith(list({ by_selectors: { selectors: [], match: 0 } }), 3, 'malformed selectors filter: empty selector set');
    await rejectsWith(entryCall(t, 'CountEntries', { filter: { by_selectors: { selectors: [], match: 0 } } }), 3, 'malformed selectors filter: empty selector set');
    const agents = await entryCall<W.ListEntriesResponse>(t, 'ListEntries', { filter: { by_parent_id: t.id('/spire/agent/none') } });
    assert.deepEqual(agents.entries, [], 'a /spire parent filter is allowed');
  });

  test('paging: creation order, a token after every non-empty page, one extra empty call; page_size 0 returns all', async () => {
    const t = target();
    const ids = await family(t, 'pg', ['p5', 'p1', 'p4', 'p2', 'p3'].map((n) => ({ n, sels: [`k=${n}`] })));
    const pages: { names: string[]; token: string }[] = [];
    let token = '';
    do {
      const res = await entryCall<W.ListEntriesResponse>(t, 'ListEntries', { filter: { by_parent_id: t.id(`${t.prefix}/pg`) }, page_size: 2, page_token: token });
      pages.push({ names: res.entries.map((e) => ids.get(e.id) as string), token: res.next_page_token });
      token = res.next_page_token;
    } while (token !== '' && pages.length < 10);
    assert.deepEqual(pages.map((p) => p.names), [['p5', 'p1'], ['p4', 'p2'], ['p3'], []]);
    assert.deepEqual(pages.map((p) => p.token !== ''), [true, true, true, false]);
    const all = await entryCall<W.ListEntriesResponse>(t, 'ListEntries', { filter: { by_parent_id: t.id(`${t.prefix}/pg`) }, page_size: 0 });
    assert.deepEqual(all.entries.map((e) => ids.get(e.id)), ['p5', 'p1', 'p4', 'p2', 'p3']);
    assert.equal(all.next_page_token, '');
  });

  test('an empty listing returns "" at once; an unparsable token is INTERNAL', async () => {
    const t = target();
    const empty = await entryCall<W.ListEntriesResponse>(t, 'ListEntries', { filter: { by_parent_id: t.id(`${t.prefix}/none`) }, page_size: 2 });
    assert.deepEqual(empty, { entries: [], next_page_token: '' });
    await rejectsWith(entryCall(t, 'ListEntries', { page_size: 2, page_token: 'abc' }), 13, "failed to list entries: could not parse token 'abc'");
  });

  test('an output mask keeps id and the marked fields; SPIFFE IDs come back split with a bare trust domain', async () => {
    const t = target();
    const ids = await family(t, 'om', [{ n: 'o', sels: ['k=o'], extra: { spiffe_id: { trust_domain: `spiffe://${t.trustDomain}`, path: `${t.prefix}/om/o` }, x509_svid_ttl: 9 } }]);
    const res = await entryCall<W.ListEntriesResponse>(t, 'ListEntries', { filter: { by_parent_id: t.id(`${t.prefix}/om`) }, output_mask: { spiffe_id: true } });
    const [e] = res.entries;
    assert.equal(ids.get(e?.id ?? ''), 'o');
    assert.deepEqual(e?.spiffe_id, t.id(`${t.prefix}/om/o`));
    assert.equal(e?.parent_id, null);
    assert.equal(e?.x509_svid_ttl, 0);
    assert.equal(e?.created_at, 0);
  });

  test('federates_with filters never match entries that federate with nothing', async (tc) => {
    const t = target();
    if (t.federated.length < 2) return tc.skip('needs two federated bundles on the server (SPIRE_CONTRACT_FEDERATED=a,b)');
    const [a, b] = t.federated as [string, string];
    const ids = await family(t, 'fw', [{ n: 'none', sels: ['k=n'] }, { n: 'fa', sels: ['k=a'], extra: { federates_with: [a] } }, { n: 'fab', sels: ['k=ab'], extra: { federates_with: [a, b] } }]);
    const by = (tds: string[], match: number) => names(t, 'fw', ids, { by_federates_with: { trust_domains: tds, match } });
    assert.deepEqual(await by([a, b], 0), ['fab']);
    assert.deepEqual(await by([a, b], 1), ['fa', 'fab']);
    assert.deepEqual(await by([a], 2), ['fa', 'fab']);
    assert.deepEqual(await by([`spiffe://${b}`], 3), ['fab']);
    await rejectsWith(entryCall(t, 'ListEntries', { filter: { by_federates_with: { trust_domains: [], match: 0 } } }), 3, /^malformed federates with filter/);
  });
});

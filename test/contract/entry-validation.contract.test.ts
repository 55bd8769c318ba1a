// Per-item validation on create, in SPIRE's order and wording (docs/spire-entry-api.md 2.2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as W from '../../adapters/spire/wire-types.js';
import { anEntry, forEachTarget, type Target } from './harness.js';

type Case = { name: string; entry: (t: Target) => Partial<W.WireEntry>; code?: number; message: (t: Target) => string | RegExp };

const convert = 'failed to convert entry: ';
const dsv = 'failed to create entry: datastore-validation: invalid registration entry: ';

const cases: Case[] = [
  { name: 'a missing parent ID', entry: (t) => ({ ...anEntry(t, 'v1'), parent_id: null }), message: () => `${convert}invalid parent ID: request must specify SPIFFE ID` },
  { name: 'a parent ID in another trust domain', entry: (t) => anEntry(t, 'v2', { parent_id: { trust_domain: 'other.test', path: '/n' } }),
    message: (t) => `${convert}invalid parent ID: "spiffe://other.test/n" is not a member of trust domain "${t.trustDomain}"` },
  { name: 'a parent ID with an empty path', entry: (t) => anEntry(t, 'v3', { parent_id: t.id('') }), message: () => /^failed to convert entry: invalid parent ID: .*path is empty$/ },
  { name: 'a missing SPIFFE ID', entry: (t) => ({ ...anEntry(t, 'v4'), spiffe_id: null }), message: () => `${convert}invalid spiffe ID: request must specify SPIFFE ID` },
  { name: 'a SPIFFE ID in the reserved /spire namespace', entry: (t) => anEntry(t, 'v5', { spiffe_id: t.id('/spire/thing') }),
    message: (t) => `${convert}invalid spiffe ID: "spiffe://${t.trustDomain}/spire/thing" is not a workload in trust domain "${t.trustDomain}"; path is in the reserved namespace` },
  { name: 'an upper-case trust domain', entry: (t) => anEntry(t, 'v6', { spiffe_id: { trust_domain: 'Example.org', path: '/x' } }),
    message: () => `${convert}invalid spiffe ID: trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores` },
  { name: 'a path with a dot segment', entry: (t) => anEntry(t, 'v7', { spiffe_id: t.id(`${t.prefix}/a/../b`) }), message: () => `${convert}invalid spiffe ID: path cannot contain dot segments` },
  { name: 'an invalid DNS name', entry: (t) => anEntry(t, 'v8', { dns_names: ['bad..name'] }), message: () => /^failed to convert entry: invalid DNS name: / },
  { name: 'an invalid federated trust domain', entry: (t) => anEntry(t, 'v9', { federates_with: ['Bad TD'] }), message: () => /^failed to convert entry: invalid federated trust domain: / },
  { name: 'an empty selector list', entry: (t) => anEntry(t, 'v10', { selectors: [] }), message: () => `${convert}selector list is empty` },
  { name: 'a selector without type', entry: (t) => anEntry(t, 'v11', { selectors: [{ type: '', value: 'x' }] }), message: () => `${convert}missing selector type` },
  { name: 'a selector type with a colon', entry: (t) => anEntry(t, 'v12', { selectors: [{ type: 'k8s:ns', value: 'x' }] }), message: () => `${convert}selector type contains ':'` },
  { name: 'a selector without value', entry: (t) => anEntry(t, 'v13', { selectors: [{ type: 'k8s', value: '' }] }), message: () => `${convert}missing selector value` },
  { name: 'an entry ID with invalid characters', entry: (t) => anEntry(t, 'v14', { id: 'bad id!' }), message: () => `${dsv}entry ID contains invalid characters` },
  { name: 'an entry ID over 255 characters', entry: (t) => anEntry(t, 'v15', { id: 'a'.repeat(256) }), message: () => `${dsv}entry ID too long` },
  { name: 'a negative X509-SVID TTL', entry: (t) => anEntry(t, 'v16', { x509_svid_ttl: -1 }), message: () => `${dsv}X509SvidTtl is not set` },
  { name: 'a negative JWT-SVID TTL', entry: (t) => anEntry(t, 'v17', { jwt_svid_ttl: -1 }), message: () => `${dsv}JwtSvidTtl is not set` },
  { name: 'store_svid with mixed selector types', entry: (t) => anEntry(t, 'v18', { store_svid: true, selectors: [{ type: 'a', value: '1' }, { type: 'b', value: '2' }] }),
    message: () => `${dsv}selector types must be the same when store SVID is enabled` },
  { name: 'the parent checked before the SPIFFE ID', entry: (t) => ({ ...anEntry(t, 'v19'), parent_id: null, spiffe_id: null }), message: () => /invalid parent ID/ },
];

forEachTarget('entry validation', (target) => {
  for (const c of cases) {
    test(`${c.name} is INVALID_ARGUMENT for that item only`, async () => {
      const t = target();
      const [bad, good] = await t.create([c.entry(t), anEntry(t, `ok-after-${c.name.length}-${c.name.charCodeAt(3)}`)]);
      assert.equal(bad?.status.code, c.code ?? 3, bad?.status.message);
      const want = c.message(t);
      if (typeof want === 'string') assert.equal(bad?.status.message, want);
      else assert.match(bad?.status.message ?? '', want);
      assert.equal(bad?.entry, null);
      assert.ok(good?.status.code === 0 || good?.status.code === 6, good?.status.message);
    });
  }

  test('a selector value may contain colons and is not trimmed', async () => {
    const t = target();
    const [r] = await t.create([anEntry(t, 'colon', { selectors: [{ type: 'k8s', value: 'pod-label:app: web ' }] })]);
    assert.equal(r?.status.code, 0);
    assert.deepEqual(r?.entry?.selectors, [{ type: 'k8s', value: 'pod-label:app: web ' }]);
  });

  test('admin, downstream and a past expires_at are accepted as given', async () => {
    const t = target();
    const [r] = await t.create([anEntry(t, 'flags', { admin: true, downstream: true, expires_at: 1 })]);
    assert.equal(r?.status.code, 0);
    assert.equal(r?.entry?.admin, true);
    assert.equal(r?.entry?.expires_at, 1);
  });
});

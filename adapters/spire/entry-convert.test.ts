import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../../handlers/entries/entry.js';
import { entryFromWire, entryToWire, filterToWire, maskToWire, spiffeIdFromWire, spiffeIdToWire, statusFromWire } from './entry-convert.js';
import { entryMaskFields } from './wire-types.js';

const full = newEntry({
  id: 'e1',
  spiffeId: 'spiffe://example.org/ns/default/sa/web',
  parentId: 'spiffe://example.org/k8s-workload-registrar/demo/node/n1',
  selectors: [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'pod-name:web-0' }],
  x509SvidTtl: 60, jwtSvidTtl: 30, federatesWith: ['other.org'], admin: true, downstream: true, expiresAt: 99,
  dnsNames: ['web-0'], revisionNumber: 3, storeSvid: true, hint: 'h', createdAt: 1700000000,
  additionalAttributes: { disableX509SvidPrefetch: true, jwtSvidIncludeJti: false },
});

test('an entry survives domain -> wire -> domain unchanged', () => {
  assert.deepEqual(entryFromWire(entryToWire(full)), full);
});

test('an entry without additional attributes converts to null and back to absent', () => {
  const plain = newEntry({ spiffeId: 'spiffe://td/a', parentId: 'spiffe://td/b', selectors: [] });
  assert.equal(entryToWire(plain).additional_attributes, null);
  assert.equal('additionalAttributes' in entryFromWire(entryToWire(plain)), false);
});

test('SPIFFE IDs split into trust domain and path (the server gets to judge malformed ones)', () => {
  assert.deepEqual(spiffeIdToWire('spiffe://example.org/ns/a'), { trust_domain: 'example.org', path: '/ns/a' });
  assert.deepEqual(spiffeIdToWire('spiffe://example.org'), { trust_domain: 'example.org', path: '' });
  assert.deepEqual(spiffeIdToWire('not-an-id'), { trust_domain: '', path: 'not-an-id' });
  assert.equal(spiffeIdFromWire({ trust_domain: 'example.org', path: '/x' }), 'spiffe://example.org/x');
  assert.equal(spiffeIdFromWire(null), '');
});

test('a mask sets exactly the named fields, every other field false', () => {
  const wire = maskToWire({ dnsNames: true, admin: false, additionalAttributes: true });
  assert.deepEqual(Object.keys(wire).sort(), [...entryMaskFields].sort());
  assert.deepEqual(Object.entries(wire).filter(([, v]) => v).map(([k]) => k).sort(), ['additional_attributes', 'dns_names']);
});

test('filters map field by field, with match behaviours as enum numbers', () => {
  assert.deepEqual(filterToWire({}), {});
  assert.deepEqual(filterToWire({
    bySpiffeId: 'spiffe://td/a', byParentId: 'spiffe://td/p',
    bySelectors: { selectors: [{ type: 'k8s', value: 'ns:x' }], match: 'superset' },
    byFederatesWith: { trustDomains: ['o.org'], match: 'any' }, byHint: '', byDownstream: false,
  }), {
    by_spiffe_id: { trust_domain: 'td', path: '/a' }, by_parent_id: { trust_domain: 'td', path: '/p' },
    by_selectors: { selectors: [{ type: 'k8s', value: 'ns:x' }], match: 2 },
    by_federates_with: { trust_domains: ['o.org'], match: 3 }, by_hint: { value: '' }, by_downstream: { value: false },
  });
  assert.equal(filterToWire({ bySelectors: { selectors: [], match: 'exact' } }).by_selectors?.match, 0);
  assert.equal(filterToWire({ bySelectors: { selectors: [], match: 'subset' } }).by_selectors?.match, 1);
});

test('a result without a status becomes UNKNOWN rather than OK', () => {
  assert.deepEqual(statusFromWire({ code: 6, message: 'similar entry already exists' }), { code: 6, message: 'similar entry already exists' });
  assert.equal(statusFromWire(null).code, 2);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Entry, newEntry, sameEntry } from './entry.js';

const base = newEntry({
  id: 'e1',
  spiffeId: 'spiffe://td/ns/a/sa/b',
  parentId: 'spiffe://td/node',
  selectors: [{ type: 'k8s', value: 'ns:a' }, { type: 'k8s', value: 'pod-name:b' }],
  dnsNames: ['b.a.svc'],
  federatesWith: ['other.td'],
  revisionNumber: 3,
  createdAt: 1700000000,
});

test('sameEntry: a structural copy is the same entry', () => {
  const copy: Entry = { ...base, selectors: base.selectors.map((s) => ({ ...s })), dnsNames: [...base.dnsNames], federatesWith: [...base.federatesWith] };
  assert.equal(sameEntry(base, copy), true);
  assert.equal(sameEntry(base, base), true);
});

test('sameEntry: any differing field makes it a different entry', () => {
  const changes: Partial<Entry>[] = [
    { id: 'e2' },
    { spiffeId: 'spiffe://td/x' },
    { parentId: 'spiffe://td/y' },
    { x509SvidTtl: 60 },
    { jwtSvidTtl: 60 },
    { admin: true },
    { downstream: true },
    { expiresAt: 5 },
    { revisionNumber: 4 },
    { storeSvid: true },
    { hint: 'h' },
    { createdAt: 1 },
    { selectors: [{ type: 'k8s', value: 'ns:a' }] },
    { selectors: [{ type: 'k8s', value: 'pod-name:b' }, { type: 'k8s', value: 'ns:a' }] },
    { federatesWith: [] },
    { dnsNames: ['c.a.svc'] },
    { additionalAttributes: { disableX509SvidPrefetch: false, jwtSvidIncludeJti: false } },
  ];
  for (const c of changes) assert.equal(sameEntry(base, { ...base, ...c }), false, JSON.stringify(c));
  const withAttrs = { ...base, additionalAttributes: { disableX509SvidPrefetch: true, jwtSvidIncludeJti: false } };
  assert.equal(sameEntry(withAttrs, { ...base, additionalAttributes: { disableX509SvidPrefetch: true, jwtSvidIncludeJti: true } }), false);
  assert.equal(sameEntry(withAttrs, { ...base, additionalAttributes: { disableX509SvidPrefetch: true, jwtSvidIncludeJti: false } }), true);
});

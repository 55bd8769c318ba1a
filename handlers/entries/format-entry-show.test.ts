import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from './entry.js';
import { compareEntriesForShow, formatEntryShow, goUtcTime } from './format-entry-show.js';

const web = newEntry({
  id: '5b1f0c3e-7a44-4a52-9d0e-1c2f3a4b5c6d',
  spiffeId: 'spiffe://example.org/ns/default/sa/web',
  parentId: 'spiffe://example.org/k8s-workload-registrar/demo/node/n1',
  selectors: [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'node-name:n1' }],
  dnsNames: ['web-0.default.svc'],
});

test('one entry: singular header, 24-wide labels, sorted selectors, default TTLs, closing empty line', () => {
  assert.equal(formatEntryShow([web]), [
    'Found 1 entry',
    'Entry ID                : 5b1f0c3e-7a44-4a52-9d0e-1c2f3a4b5c6d',
    'SPIFFE ID               : spiffe://example.org/ns/default/sa/web',
    'Parent ID               : spiffe://example.org/k8s-workload-registrar/demo/node/n1',
    'Revision                : 0',
    'X509-SVID TTL           : default',
    'JWT-SVID TTL            : default',
    'Selector                : k8s:node-name:n1',
    'Selector                : k8s:ns:default',
    'DNS name                : web-0.default.svc',
    '',
    '',
  ].join('\n'));
});

test('no entries: "Found 0 entries" and nothing else', () => {
  assert.equal(formatEntryShow([]), 'Found 0 entries\n');
});

test('optional lines appear in SPIRE order; DNS names and federates_with keep server order', () => {
  const e = newEntry({
    id: '', spiffeId: 'spiffe://example.org/a', parentId: 'spiffe://example.org/p', selectors: [{ type: 'unix', value: 'uid:0' }],
    downstream: true, x509SvidTtl: 3600, jwtSvidTtl: 300, expiresAt: 1552410266, federatesWith: ['z.test', 'a.test'],
    dnsNames: ['z.example', 'a.example'], admin: true, storeSvid: true, hint: 'internal', revisionNumber: 4,
    additionalAttributes: { disableX509SvidPrefetch: true, jwtSvidIncludeJti: true },
  });
  assert.deepEqual(formatEntryShow([e]).split('\n'), [
    'Found 1 entry',
    'Entry ID                : (none)',
    'SPIFFE ID               : spiffe://example.org/a',
    'Parent ID               : spiffe://example.org/p',
    'Revision                : 4',
    'Downstream              : true',
    'X509-SVID TTL           : 3600',
    'JWT-SVID TTL            : 300',
    'Expiration time         : 2019-03-12 17:04:26 +0000 UTC',
    'Selector                : unix:uid:0',
    'FederatesWith           : z.test',
    'FederatesWith           : a.test',
    'DNS name                : z.example',
    'DNS name                : a.example',
    'Admin                   : true',
    'StoreSvid               : true',
    'Hint                    : internal',
    'DisableX509SvidPrefetch : true',
    'JwtSvidIncludeJti       : true',
    '',
    '',
  ]);
});

test('entries sort by SPIFFE ID, then parent, TTLs and selector lists (shorter first); plural header', () => {
  const base = { parentId: 'spiffe://example.org/p', selectors: [{ type: 'k', value: 'b' }] };
  const entries = [
    newEntry({ ...base, id: '4', spiffeId: 'spiffe://example.org/b' }),
    newEntry({ ...base, id: '3', spiffeId: 'spiffe://example.org/a', selectors: [{ type: 'k', value: 'a' }, { type: 'k', value: 'c' }] }),
    newEntry({ ...base, id: '2', spiffeId: 'spiffe://example.org/a', x509SvidTtl: 5 }),
    newEntry({ ...base, id: '1', spiffeId: 'spiffe://example.org/a' }),
    newEntry({ ...base, id: '0', spiffeId: 'spiffe://a.org/z' }),
  ];
  const text = formatEntryShow(entries);
  assert.ok(text.startsWith('Found 5 entries\nEntry ID'));
  assert.deepEqual([...text.matchAll(/^Entry ID +: (\S+)$/gm)].map((m) => m[1]), ['0', '1', '3', '2', '4']);
  const [first] = entries;
  assert.ok(first);
  assert.equal(compareEntriesForShow(first, { ...first, id: 'other' }), 0, 'the id plays no part');
});

test('Go time format in UTC', () => {
  assert.equal(goUtcTime(0), '1970-01-01 00:00:00 +0000 UTC');
});

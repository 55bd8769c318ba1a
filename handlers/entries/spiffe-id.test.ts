import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInTrustDomain, isUnder, makeSpiffeId, parseSpiffeId, parseTrustDomain, spiffeIdErrors } from './spiffe-id.js';

const cases: [string, string | undefined][] = [
  ['spiffe://example.org/ns/default/sa/web', undefined],
  ['spiffe://example.org', undefined],
  ['http://example.org/x', spiffeIdErrors.scheme],
  ['SPIFFE://example.org/x', spiffeIdErrors.scheme],
  ['spiffe:///x', spiffeIdErrors.tdMissing],
  ['spiffe://Example.org/x', spiffeIdErrors.tdChars],
  ['spiffe://example.org:8080/x', spiffeIdErrors.tdChars],
  ['spiffe://example.org/a//b', spiffeIdErrors.emptySegment],
  ['spiffe://example.org/a/../b', spiffeIdErrors.dotSegment],
  ['spiffe://example.org/a/./b', spiffeIdErrors.dotSegment],
  ['spiffe://example.org/a b', spiffeIdErrors.segmentChars],
  ['spiffe://example.org/a%20b', spiffeIdErrors.segmentChars],
  ['spiffe://example.org/a/', spiffeIdErrors.trailingSlash],
  ['spiffe://example.org/Upper_case-OK.1', undefined],
  // Segments that only look like dot segments are valid (the one-regex fast path must agree).
  ['spiffe://example.org/.../.a/a./..b', undefined],
  ['spiffe://example.org/a/..', spiffeIdErrors.dotSegment],
  ['spiffe://example.org/./a', spiffeIdErrors.dotSegment],
  ['spiffe://example.org//', spiffeIdErrors.emptySegment],
];

for (const [id, error] of cases) {
  test(`parseSpiffeId(${JSON.stringify(id)}) ${error ? `fails: ${error}` : 'parses'}`, () => {
    const r = parseSpiffeId(id);
    assert.equal(r.ok ? undefined : r.error, error);
  });
}

test('a trust domain may be given as a spiffe:// ID', () => {
  assert.deepEqual(parseTrustDomain('spiffe://example.org'), { ok: true, value: 'example.org' });
  assert.deepEqual(parseTrustDomain(''), { ok: false, error: spiffeIdErrors.tdMissing });
});

test('makeSpiffeId joins segments that may contain slashes', () => {
  assert.deepEqual(makeSpiffeId('example.org', 'production/example-workload'), {
    ok: true,
    value: 'spiffe://example.org/production/example-workload',
  });
  assert.equal(makeSpiffeId('example.org', 'ns', '', 'sa', 'x').ok, false);
});

test('trust domain membership is parsed, not a string prefix', () => {
  assert.equal(isInTrustDomain('spiffe://example.org/x', 'example.org'), true);
  assert.equal(isInTrustDomain('spiffe://example.org.evil/x', 'example.org'), false);
});

test('isUnder matches the root itself and its descendants only', () => {
  const root = 'spiffe://example.org/reg/c1/node';
  assert.equal(isUnder(root, root), true);
  assert.equal(isUnder(`${root}/n1`, root), true);
  assert.equal(isUnder(`${root}s/n1`, root), false);
  assert.equal(isUnder('spiffe://other.org/reg/c1/node/n1', root), false);
});

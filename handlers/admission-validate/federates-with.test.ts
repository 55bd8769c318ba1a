import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { federatesWithOf } from './federates-with.js';

const cases: [string, string | undefined, ReturnType<typeof federatesWithOf>][] = [
  ['no annotation means no federation', undefined, { ok: true, trustDomains: [] }],
  ['one trust domain', 'domain.test', { ok: true, trustDomains: ['domain.test'] }],
  ['items are trimmed (differs from the original, which split on commas only)', ' a.test ,  b.test', { ok: true, trustDomains: ['a.test', 'b.test'] }],
  ['empty items are dropped', ',a.test,,b.test,', { ok: true, trustDomains: ['a.test', 'b.test'] }],
  ['an empty value means no federation', '', { ok: true, trustDomains: [] }],
  ['spiffe:// form is accepted and stored bare', 'spiffe://a.test', { ok: true, trustDomains: ['a.test'] }],
  ['duplicates are merged', 'a.test,a.test', { ok: true, trustDomains: ['a.test'] }],
  [
    'an invalid trust domain is an error naming the item (differs from the original, which left it to SPIRE)',
    'a.test,Bad_Domain',
    {
      ok: false,
      error:
        'annotation "spiffe.io/federatesWith" item "Bad_Domain" is not a trust domain: trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores',
    },
  ],
  [
    "the pod's own trust domain is refused (differs from the original, which sent it to SPIRE)",
    'a.test,spiffe://example.org',
    { ok: false, error: 'annotation "spiffe.io/federatesWith" item "spiffe://example.org" is the registrar\'s own trust domain' },
  ],
];

for (const [name, value, expected] of cases) {
  test(`federatesWith: ${name}`, () => {
    const pod = aPod(value === undefined ? {} : { annotations: { 'spiffe.io/federatesWith': value } });
    assert.deepEqual(federatesWithOf(pod, 'example.org'), expected);
  });
}

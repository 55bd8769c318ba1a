import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnsNameError, wildcardCovers } from './dns-name.js';

const accepted = [
  'com', 'web', 'web.default.svc', 'example.com', '*.example.com', 'a-hello.com', 'xn--ls8h.org', 'xn--bcher-kva.example',
  ' padded.example ', 'Upper_case.example', 'a'.repeat(63),
];
const rejected: [string, string][] = [
  ['.', 'domain ends with dot'],
  ['example.com.', 'domain ends with dot'],
  ['', 'empty domain'],
  [' ', 'empty domain'],
  ['*.foo.*.bar', 'too many wildcards'],
  ['foo.*.bar', 'wildcard must be first label'],
  ['x*', 'wildcard must be first label'],
  ['💩.com', 'name must be ASCII'],
  ['bücher.de', 'name must be ASCII'],
  ['-hello.com', 'idna error: invalid label "-hello"'],
  ['hello-.com', 'idna error: invalid label "hello-"'],
  ['ab--cd.com', 'idna error: invalid label "ab--cd"'],
  ['a..b', 'idna error: empty label'],
  ['a b', 'idna error: disallowed character in label "a b"'],
  ['web!.svc', 'idna error: disallowed character in label "web!"'],
  [`${'a'.repeat(64)}.com`, 'idna error: label too long'],
  [`${'a.'.repeat(127)}com`, 'idna error: name too long'],
];

for (const name of accepted) test(`accepts ${JSON.stringify(name.slice(0, 20))}`, () => assert.equal(dnsNameError(name), undefined));
for (const [name, why] of rejected) test(`rejects ${JSON.stringify(name.slice(0, 20))}: ${why}`, () => assert.equal(dnsNameError(name), why));

test('a wildcard covers one extra leading label only', () => {
  assert.equal(wildcardCovers('*.svc.local', 'a.svc.local'), true);
  assert.equal(wildcardCovers('*.svc.local', 'a.b.svc.local'), false);
  assert.equal(wildcardCovers('*.svc.local', 'svc.local'), false);
  assert.equal(wildcardCovers('svc.local', 'a.svc.local'), false);
});

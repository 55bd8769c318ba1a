import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnsNameError } from './dns-name.js';

const valid = ['web', 'web.default.svc', '*.example.org', 'xn--bcher-kva.example', 'a-b.c', ` padded `, 'a'.repeat(63)];
const invalid = ['', '   ', 'web.', 'a..b', '*.*.x', 'a.*.b', 'x*', '-a', 'a-', 'ab--cd', 'a b', 'bücher.de', `${'a'.repeat(64)}.x`, `${'a.'.repeat(127)}ab`];

for (const name of valid) test(`DNS name ${JSON.stringify(name)} is valid`, () => assert.equal(dnsNameError(name), undefined));
for (const name of invalid) test(`DNS name ${JSON.stringify(name)} is refused`, () => assert.notEqual(dnsNameError(name), undefined));

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseListenAddr } from './listen-addr.js';

const ok: [string, ReturnType<typeof parseListenAddr>][] = [
  [':8443', { host: undefined, port: 8443 }],
  ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
  ['0.0.0.0:9443', { host: '0.0.0.0', port: 9443 }],
  ['[::1]:8443', { host: '::1', port: 8443 }],
  ['localhost:80', { host: 'localhost', port: 80 }],
];
for (const [addr, expected] of ok) {
  test(`listen address ${addr}`, () => assert.deepEqual(parseListenAddr(addr), expected));
}

for (const bad of ['8443', '', 'host:', ':65536', '::1:80', 'a:b']) {
  test(`listen address ${JSON.stringify(bad)} is refused with the expected forms`, () => {
    assert.throws(() => parseListenAddr(bad), /expected host:port, :port or \[ipv6\]:port/);
  });
}

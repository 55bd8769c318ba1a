import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseListenAddr } from './listen-addr.js';

const cases: Array<[string, string, ReturnType<typeof parseListenAddr>]> = [
  ['":8080" listens on every interface', ':8080', { host: undefined, port: 8080 }],
  ['"0" disables the listener', '0', undefined],
  ['a host and port 0 picks a free port', '127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
  ['bracketed IPv6 hosts lose their brackets', '[::1]:9090', { host: '::1', port: 9090 }],
  ['host names are kept', 'localhost:8443', { host: 'localhost', port: 8443 }],
];
for (const [name, input, want] of cases) {
  test(name, () => assert.deepEqual(parseListenAddr(input), want));
}

for (const bad of ['8080', ':', 'host:99999', '::1:80', 'host:port']) {
  test(`"${bad}" is refused`, () => assert.throws(() => parseListenAddr(bad), /invalid listen address/));
}

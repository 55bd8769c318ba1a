import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServerAddress } from './server-address.js';

const cases: [string, ReturnType<typeof parseServerAddress>][] = [
  ['unix:///tmp/spire-server/private/api.sock', { kind: 'unix', path: '/tmp/spire-server/private/api.sock', target: 'unix:/tmp/spire-server/private/api.sock' }],
  ['unix:/run/api.sock', { kind: 'unix', path: '/run/api.sock', target: 'unix:/run/api.sock' }],
  ['unix://.sandbox/api.sock', { kind: 'unix', path: '.sandbox/api.sock', target: 'unix:.sandbox/api.sock' }],
  ['spire-server.spire:8081', { kind: 'tcp', target: 'spire-server.spire:8081' }],
  ['dns:///spire-server:8081', { kind: 'tcp', target: 'spire-server:8081' }],
  ['127.0.0.1:8081', { kind: 'tcp', target: '127.0.0.1:8081' }],
];
for (const [input, want] of cases) test(`server address ${input}`, () => assert.deepEqual(parseServerAddress(input), want));

import assert from 'node:assert/strict';
import type { PeerCertificate } from 'node:tls';
import { test } from 'node:test';
import { serverIdentityCheck } from './connect.js';

const peer = (subjectaltname: string) => ({ subjectaltname }) as PeerCertificate;

test('the server must present spiffe://<td>/spire/server; the host name plays no part', () => {
  const check = serverIdentityCheck('example.org');
  assert.equal(check('10.0.0.1', peer('DNS:localhost, URI:spiffe://example.org/spire/server')), undefined);
  assert.match(String(check('spire-server', peer('URI:spiffe://example.org/workload'))), /presented spiffe:\/\/example\.org\/workload, want spiffe:\/\/example\.org\/spire\/server/);
  assert.match(String(check('spire-server', peer('URI:spiffe://other.org/spire/server'))), /want spiffe:\/\/example\.org\/spire\/server/);
  assert.match(String(check('spire-server', peer('DNS:spire-server'))), /presented no SPIFFE ID/);
});

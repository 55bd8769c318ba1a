import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { reportingInstance } from './reporting-instance.js';

test('reporting instance: POD_NAME, else the hostname (a pod\'s hostname is its name)', () => {
  assert.equal(reportingInstance({ POD_NAME: 'spire-server-0' }), 'spire-server-0');
  assert.equal(reportingInstance({}), hostname());
});

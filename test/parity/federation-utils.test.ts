// Parity with federation/utils_test.go (both upstream trees): the trust domains a pod's
// spiffe.io/federatesWith annotation names, read by the same handler every mode uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { federatesWithOf } from '../../handlers/admission-validate/federates-with.js';
import { aPod } from '../fixtures/k8s-objects.js';

const domains = (annotations: Record<string, string>) => {
  // The registrar's own trust domain is refused in the list; upstream's cases name others, so one unused here.
  const r = federatesWithOf(aPod({ annotations }), 'registrar.test');
  assert.ok(r.ok);
  return r.trustDomains;
};

test('federation/utils_test.go TestFederationNoDomains', () => {
  assert.deepEqual(domains({ foo: 'bar' }), []);
});

test('federation/utils_test.go TestFederationSingleDomain', () => {
  assert.deepEqual(domains({ 'spiffe.io/federatesWith': 'example.com' }), ['example.com']);
});

test('federation/utils_test.go TestFederationMultiDomain', () => {
  assert.deepEqual(domains({ 'spiffe.io/federatesWith': 'example.com,example.org' }), ['example.com', 'example.org']);
});

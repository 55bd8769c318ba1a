import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AdmissionRequest } from '../admission-validate/admission-review.js';
import { newEntry } from '../entries/entry.js';
import { selector } from '../entries/selectors.js';
import { aRawSpiffeId, testRules, type SpiffeIdInit } from '../../test/fixtures/spiffeid.js';
import { reviewSpiffeId } from './review-spiffeid.js';

const rules = testRules;
const REGISTRAR = 'system:serviceaccount:spire:spire-server';

function request(operation: string, init: SpiffeIdInit = {}, object: unknown = aRawSpiffeId(init)): AdmissionRequest {
  return {
    uid: 'req-1',
    kind: { group: 'spiffeid.spiffe.io', version: 'v1beta1', kind: 'SpiffeID' },
    subResource: '',
    name: 'my-test-spiffeid',
    namespace: init.namespace ?? 'default',
    operation,
    object,
    dryRun: false,
    userInfo: { username: 'alice' },
  };
}

test('CREATE of the tutorial SpiffeID is allowed', () => {
  assert.deepEqual(reviewSpiffeId(request('CREATE'), rules, [], REGISTRAR), { uid: 'req-1', allowed: true });
});

test('a refusal is allowed=false, code 403, message naming the rule', () => {
  const out = reviewSpiffeId(request('CREATE', { selector: { namespace: 'other', podName: 'x' } }), rules, [], REGISTRAR);
  assert.deepEqual(out, { uid: 'req-1', allowed: false, status: { code: 403, message: 'spec.Selector.Namespace must match namespace of resource' } });
});

test('UPDATE is validated too, but not refused as its own duplicate', () => {
  const dup = newEntry({ id: 'e1', spiffeId: 'spiffe://example.org/test', parentId: 'spiffe://example.org/spire/server', selectors: [selector('k8s', 'ns:default'), selector('k8s', 'pod-name:my-test-pod')] });
  assert.equal(reviewSpiffeId(request('UPDATE'), rules, [dup], REGISTRAR).allowed, true);
  assert.equal(reviewSpiffeId(request('UPDATE', { spiffeId: 'spiffe://example.org.evil/x' }), rules, [], REGISTRAR).allowed, false);
  assert.match(reviewSpiffeId(request('CREATE'), rules, [dup], REGISTRAR).status?.message ?? '', /^Duplicate detected/);
});

test('DELETE is always allowed', () => {
  assert.equal(reviewSpiffeId(request('DELETE', {}, undefined), rules, [], REGISTRAR).allowed, true);
});

test('an object without spec.spiffeId is refused with the parse problem', () => {
  const out = reviewSpiffeId(request('CREATE', {}, { metadata: { name: 'x' }, spec: {} }), rules, [], REGISTRAR);
  assert.equal(out.allowed, false);
  assert.match(out.status?.message ?? '', /^object is not a valid SpiffeID: spec\.spiffeId/);
});

test('the namespace comes from the request when the object omits it', () => {
  const raw = aRawSpiffeId();
  delete (raw.metadata as Record<string, unknown>).namespace;
  assert.equal(reviewSpiffeId(request('CREATE', {}, raw), rules, [], REGISTRAR).allowed, true);
});

test('an UPDATE that keeps the spec (finalizer release) is allowed even for an invalid SpiffeID', () => {
  const bad = { selector: { namespace: 'other', podName: 'x' } };
  const req = { ...request('UPDATE', { ...bad, finalizers: [] }), oldObject: aRawSpiffeId({ ...bad, finalizers: ['finalizers.spiffeid.spiffe.io'] }) };
  assert.equal(reviewSpiffeId(req, rules, [], REGISTRAR).allowed, true);
  const changed = { ...request('UPDATE', bad), oldObject: aRawSpiffeId() };
  assert.equal(reviewSpiffeId(changed, rules, [], REGISTRAR).allowed, false);
});

test('status writes: only the registrar\'s own user may write status (rule statusWriter)', () => {
  const status = (username: string) => ({ ...request('UPDATE', { entryId: 'x' }), subResource: 'status', userInfo: { username } });
  const denied = reviewSpiffeId(status('alice'), rules, [], REGISTRAR);
  assert.equal(denied.allowed, false);
  assert.equal(denied.status?.code, 403);
  assert.match(denied.status?.message ?? '', /rule statusWriter: only the registrar's service account may write SpiffeID status, not "alice"/);
  assert.equal(reviewSpiffeId(status(REGISTRAR), rules, [], REGISTRAR).allowed, true);
  // Without a known identity nobody may write status.
  assert.equal(reviewSpiffeId(status(''), rules, [], '').allowed, false);
});

test('the namespace policy applies to users, not to the registrar\'s own writes', () => {
  const foreign = { spiffeId: 'spiffe://example.org/ns/kube-system/sa/admin' };
  const byUser = reviewSpiffeId(request('CREATE', foreign), rules, [], REGISTRAR);
  assert.equal(byUser.allowed, false);
  assert.match(byUser.status?.message ?? '', /^refused by spiffeid_policy "namespace", rule namespacePath: /);
  const byRegistrar = { ...request('CREATE', foreign), userInfo: { username: REGISTRAR } };
  assert.equal(reviewSpiffeId(byRegistrar, rules, [], REGISTRAR).allowed, true);
});

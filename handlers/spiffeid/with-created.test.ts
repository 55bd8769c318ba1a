import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aSpiffeId } from '../../test/fixtures/spiffeid.js';
import { withCreated } from './with-created.js';

const names = (xs: readonly { metadata: { namespace: string; name: string; uid: string } }[]) => xs.map((s) => `${s.metadata.namespace}/${s.metadata.name}@${s.metadata.uid}`);

test('SpiffeIDs the pass created join the informer\'s view, with the UID and resourceVersion the API server gave them', () => {
  const observed = [aSpiffeId({ name: 'a', uid: 'u-a' })];
  const made = aSpiffeId({ name: 'b', uid: 'u-b', resourceVersion: '42', finalizers: ['finalizers.spiffeid.spiffe.io'] });
  const out = withCreated(observed, [made]);
  assert.deepEqual(names(out), ['default/a@u-a', 'default/b@u-b']);
  assert.equal(out[1]?.metadata.resourceVersion, '42');
  assert.deepEqual(out[1]?.metadata.finalizers, ['finalizers.spiffeid.spiffe.io']);
});

test('where the informer already holds that namespace/name, its copy is kept', () => {
  const informer = aSpiffeId({ name: 'b', uid: 'u-b', resourceVersion: '43', entryId: 'e1' });
  const out = withCreated([informer], [aSpiffeId({ name: 'b', uid: 'u-b', resourceVersion: '42' })]);
  assert.deepEqual(names(out), ['default/b@u-b']);
  assert.equal(out[0], informer);
});

test('a create answer without a UID names no entry and is not added; nothing created leaves the view as it is', () => {
  const observed = [aSpiffeId({ name: 'a', uid: 'u-a' })];
  assert.equal(withCreated(observed, []), observed);
  assert.equal(withCreated(observed, [aSpiffeId({ name: 'b', uid: '' })]), observed);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectionPath, isGone, KubeApiError, watchTimeoutSeconds } from './list-watch-source.js';

test('core group collections live under /api', () => {
  assert.equal(collectionPath({ version: 'v1', plural: 'pods' }), '/api/v1/pods');
  assert.equal(collectionPath({ group: '', version: 'v1', plural: 'endpoints', namespace: 'default' }), '/api/v1/namespaces/default/endpoints');
});

test('named group collections live under /apis', () => {
  assert.equal(
    collectionPath({ group: 'spiffeid.spiffe.io', version: 'v1beta1', plural: 'spiffeids', namespace: 'ns' }),
    '/apis/spiffeid.spiffe.io/v1beta1/namespaces/ns/spiffeids',
  );
});

test('410 Gone is recognised through wrapping causes and client-node statusCode errors', () => {
  assert.equal(isGone(new KubeApiError('too old', 410, 'Expired')), true);
  assert.equal(isGone(new Error('watch pods', { cause: new KubeApiError('gone', 410) })), true);
  assert.equal(isGone(new Error('watch pods', { cause: Object.assign(new Error('Gone'), { statusCode: 410 }) })), true);
  assert.equal(isGone(new KubeApiError('forbidden', 403)), false);
  assert.equal(isGone(new Error('socket hang up')), false);
  assert.equal(isGone('410'), false);
});

test('the server-side watch timeout is 5 to 10 minutes, from the injected random source', () => {
  assert.equal(watchTimeoutSeconds(() => 0), 300);
  assert.equal(watchTimeoutSeconds(() => 0.5), 450);
  assert.equal(watchTimeoutSeconds(() => 0.999_999), 599);
  assert.equal(watchTimeoutSeconds(() => 1), 599, 'a source that returns 1 stays under 10 minutes');
});

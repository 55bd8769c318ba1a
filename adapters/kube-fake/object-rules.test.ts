import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeUpdate, sameObject, withCreateDefaults } from './object-rules.js';
import type { KubeObject, ResourceType } from './types.js';

const crType: ResourceType = {
  group: 'spiffeid.spiffe.io', versions: ['v1beta1'], resource: 'spiffeids', singular: 'spiffeid', kind: 'SpiffeID',
  listKind: 'SpiffeIDList', namespaced: true, shortNames: [], categories: [], statusSubresource: true, custom: true,
};
const stored: KubeObject = {
  apiVersion: 'spiffeid.spiffe.io/v1beta1', kind: 'SpiffeID',
  metadata: { name: 'a', namespace: 'spire', uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1, resourceVersion: '5' },
  spec: { spiffeId: 'spiffe://example.org/a' },
  status: { entryId: 'e1' },
};

test('a custom resource with a status subresource is created without the status the client sent', () => {
  const created = withCreateDefaults(crType, { ...stored, status: { entryId: 'forged' } }, new Date(0));
  assert.equal(created['status'], undefined);
});

test('a main-resource update keeps status, uid and creationTimestamp, and bumps generation on spec change', () => {
  const next = mergeUpdate(crType, stored, {
    ...stored, metadata: { name: 'a', uid: 'other', labels: { l: '1' } }, spec: { spiffeId: 'spiffe://example.org/b' }, status: { entryId: 'x' },
  }, undefined, 'v1beta1');
  assert.deepEqual(next['status'], { entryId: 'e1' });
  assert.equal(next.metadata.uid, 'u1');
  assert.equal(next.metadata.creationTimestamp, '2026-01-01T00:00:00Z');
  assert.equal(next.metadata.generation, 2);
  assert.deepEqual(next.metadata.labels, { l: '1' });
});

test('a metadata-only update keeps generation; a status update changes only status', () => {
  assert.equal(mergeUpdate(crType, stored, { ...stored, metadata: { ...stored.metadata, labels: { l: '1' } } }, undefined, 'v1beta1').metadata.generation, 1);
  const status = mergeUpdate(crType, stored, { ...stored, metadata: { name: 'a', labels: { ignored: 'y' } }, spec: {}, status: { entryId: 'e2' } }, 'status', 'v1beta1');
  assert.deepEqual(status, { ...stored, status: { entryId: 'e2' } });
});

test('sameObject ignores resourceVersion and key order only', () => {
  const reordered: KubeObject = { status: stored['status'], spec: stored['spec'], metadata: { ...stored.metadata, resourceVersion: '9' }, kind: 'SpiffeID', apiVersion: stored.apiVersion! };
  assert.equal(sameObject(stored, reordered), true);
  assert.equal(sameObject(stored, { ...stored, spec: { spiffeId: 'x' } }), false);
});

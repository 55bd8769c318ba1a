import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aSpiffeId } from '../../test/fixtures/spiffeid.js';
import { declaredSpec, type DeclaredSpiffeId } from './declared-spiffeid.js';
import { withDeclaredSpecs } from './registrar-declared.js';

const podOwner = { apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'u1', controller: true, blockOwnerDeletion: true };
const declared: DeclaredSpiffeId = {
  namespace: 'default',
  name: 'web-0',
  labels: { podUid: 'u1' },
  owner: podOwner,
  spec: declaredSpec({ parentId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/n1', spiffeId: 'spiffe://example.org/web', selector: { podUid: 'u1', namespace: 'default' } }),
};

test('a pod\'s SpiffeID a user edited is planned with the declared spec and marked as the registrar\'s', () => {
  const edited = aSpiffeId({ name: 'web-0', ownerReferences: [podOwner], spiffeId: 'spiffe://example.org/ns/kube-system/sa/admin' });
  const out = withDeclaredSpecs([edited], [declared]);
  assert.equal(out.spiffeIds[0]?.spec.spiffeId, 'spiffe://example.org/web');
  assert.deepEqual([...out.registrarDeclared], ['default/web-0']);
});

test('a SpiffeID with the declared name but another (or no) controller is left as it is, and is a user\'s', () => {
  const handMade = aSpiffeId({ name: 'web-0', spiffeId: 'spiffe://example.org/squat' });
  const forged = aSpiffeId({ name: 'web-0', ownerReferences: [{ ...podOwner, uid: 'u-other' }], spiffeId: 'spiffe://example.org/squat' });
  for (const s of [handMade, forged]) {
    const out = withDeclaredSpecs([s], [declared]);
    assert.equal(out.spiffeIds[0]?.spec.spiffeId, 'spiffe://example.org/squat');
    assert.equal(out.registrarDeclared.size, 0);
  }
});

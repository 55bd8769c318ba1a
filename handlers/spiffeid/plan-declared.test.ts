import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aSpiffeId } from '../../test/fixtures/spiffeid.js';
import { declaredSpec, type DeclaredSpiffeId } from './declared-spiffeid.js';
import { planDeclaredSpiffeIds } from './plan-declared.js';
import type { SpiffeId } from './spiffeid.js';

const owner = (uid: string) => ({ apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid, controller: true, blockOwnerDeletion: true });

function decl(uid: string, spiffeId = 'spiffe://example.org/web'): DeclaredSpiffeId {
  return {
    namespace: 'default',
    name: 'web-0',
    labels: { podUid: uid },
    owner: owner(uid),
    spec: declaredSpec({
      parentId: 'spiffe://example.org/k8s-workload-registrar/c/node/n1',
      spiffeId,
      selector: { podUid: uid, namespace: 'default', nodeName: 'n1' },
      dnsNames: ['web-0'],
    }),
  };
}

function existingFor(d: DeclaredSpiffeId, extra: Partial<Parameters<typeof aSpiffeId>[0]> = {}): SpiffeId {
  return aSpiffeId({
    name: d.name,
    namespace: d.namespace,
    labels: { ...d.labels },
    ownerReferences: [{ ...d.owner }],
    parentId: d.spec.parentId,
    spiffeId: d.spec.spiffeId,
    selector: { ...d.spec.selector },
    dnsNames: [...(d.spec.dnsNames ?? [])],
    ...extra,
  });
}

test('a declared SpiffeID that does not exist is created', () => {
  const plan = planDeclaredSpiffeIds([decl('u1')], [], new Set(['u1']));
  assert.equal(plan.create.length, 1);
});

test('an identical existing SpiffeID needs nothing (selector order and status do not matter)', () => {
  const d = decl('u1');
  const plan = planDeclaredSpiffeIds([d], [existingFor(d, { entryId: 'e1' })], new Set(['u1']));
  assert.deepEqual(plan, { create: [], update: [], delete: [], blocked: [], takeOver: [] });
});

test('a spec change (new label value -> new SPIFFE ID) updates the SpiffeID', () => {
  const old = existingFor(decl('u1'));
  const plan = planDeclaredSpiffeIds([decl('u1', 'spiffe://example.org/web-v2')], [old], new Set(['u1']));
  assert.equal(plan.update.length, 1);
  assert.equal(plan.update[0]?.declared.spec.spiffeId, 'spiffe://example.org/web-v2');
});

test('a pod name reused by a new pod waits until the old SpiffeID is gone', () => {
  const old = existingFor(decl('old-uid'));
  const plan = planDeclaredSpiffeIds([decl('new-uid')], [old], new Set(['new-uid']));
  assert.deepEqual([plan.create.length, plan.update.length, plan.delete.length, plan.blocked.length], [0, 0, 0, 1]);
});

test('a hand-made SpiffeID with the pod\'s name cannot block the pod: the pod\'s own SpiffeID takes the name over', () => {
  const user = aSpiffeId({ name: 'web-0', namespace: 'default' });
  const plan = planDeclaredSpiffeIds([decl('u1')], [user], new Set(['u1']));
  assert.deepEqual([plan.takeOver.length, plan.blocked.length, plan.delete.length, plan.create.length], [1, 0, 0, 0]);
  assert.equal(plan.takeOver[0]?.declared.owner.uid, 'u1');
});

test('a hand-made SpiffeID controlled by some other live object is taken over too (owner references are user-writable)', () => {
  const forged = aSpiffeId({ name: 'web-0', namespace: 'default', ownerReferences: [{ ...owner('other-pod'), name: 'web-1' }] });
  assert.equal(planDeclaredSpiffeIds([decl('u1')], [forged], new Set(['u1', 'other-pod'])).takeOver.length, 1);
});

test('a live pod that no longer declares one (annotation removed) has its SpiffeID deleted', () => {
  const old = existingFor(decl('u1'));
  assert.equal(planDeclaredSpiffeIds([], [old], new Set(['u1'])).delete.length, 1);
});

test('a SpiffeID whose owner is gone is left to the garbage collector; user SpiffeIDs are never deleted', () => {
  const orphan = existingFor(decl('gone'));
  const user = aSpiffeId({ name: 'mine' });
  assert.equal(planDeclaredSpiffeIds([], [orphan, user], new Set()).delete.length, 0);
});

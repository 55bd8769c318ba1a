import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aSpiffeId } from '../../test/fixtures/spiffeid.js';
import type { DeclaredSpiffeId } from '../spiffeid/declared-spiffeid.js';
import { takenOverStatus } from './status.js';
import { asTakenOver, withTakenOver } from './taken-over.js';

const now = '2026-11-30T12:00:00Z';
const squatter = aSpiffeId({ name: 'web-0', spiffeId: 'spiffe://example.org/squat' });
const declared: DeclaredSpiffeId = {
  namespace: 'default',
  name: 'web-0',
  labels: { 'spiffe.io/owner': 'pod' },
  owner: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'pod-uid', controller: true },
  spec: { ...squatter.spec, spiffeId: 'spiffe://example.org/web' },
};

test('a taken-over SpiffeID is planned with the declared spec, owner and labels, and the TakenOver status when it was written', () => {
  const status = takenOverStatus(squatter, declared, now);
  const taken = asTakenOver(squatter, declared, status);
  assert.equal(taken.spec.spiffeId, 'spiffe://example.org/web');
  assert.deepEqual(taken.metadata.ownerReferences, [declared.owner]);
  assert.equal(taken.metadata.labels?.['spiffe.io/owner'], 'pod');
  assert.deepEqual(taken.status.conditions?.map((c) => c.type), ['TakenOver']);
  assert.equal(taken.metadata.uid, squatter.metadata.uid, 'the same object');
  assert.deepEqual(asTakenOver(squatter, declared, undefined).status, squatter.status, 'a status that was not written is not assumed');
});

test('withTakenOver replaces only the objects of the same namespace/name', () => {
  const other = aSpiffeId({ name: 'other' });
  const taken = asTakenOver(squatter, declared, undefined);
  assert.deepEqual(withTakenOver([squatter, other], [taken]), [taken, other]);
});

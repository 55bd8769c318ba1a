import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { workloadSpiffeId } from './workload-spiffe-id.js';

const td = { trustDomain: 'example.org' };

test('service account identity is the default', () => {
  assert.deepEqual(workloadSpiffeId(aPod({ namespace: 'spire', serviceAccount: 'spire-agent' }), td), {
    kind: 'id',
    spiffeId: 'spiffe://example.org/ns/spire/sa/spire-agent',
  });
});

test('a pod that names no service account runs as "default"', () => {
  const pod = aPod({ namespace: 'spire', serviceAccount: '' });
  assert.deepEqual(workloadSpiffeId(pod, td), { kind: 'id', spiffeId: 'spiffe://example.org/ns/spire/sa/default' });
});

test('label identity uses the label value; a pod without the label has none', () => {
  const cfg = { ...td, podLabel: 'spire-workload' };
  assert.deepEqual(workloadSpiffeId(aPod({ labels: { 'spire-workload': 'agent' } }), cfg), {
    kind: 'id',
    spiffeId: 'spiffe://example.org/agent',
  });
  assert.equal(workloadSpiffeId(aPod({ labels: {} }), cfg).kind, 'none');
});

test('annotation identity may contain slashes', () => {
  const cfg = { ...td, podAnnotation: 'spiffe.io/spiffe-id' };
  const pod = aPod({ annotations: { 'spiffe.io/spiffe-id': 'production/example-workload' } });
  assert.deepEqual(workloadSpiffeId(pod, cfg), { kind: 'id', spiffeId: 'spiffe://example.org/production/example-workload' });
});

test('one leading slash is accepted, as the original produced the same ID', () => {
  const cfg = { ...td, podAnnotation: 'id' };
  assert.deepEqual(workloadSpiffeId(aPod({ annotations: { id: '/web' } }), cfg), {
    kind: 'id',
    spiffeId: 'spiffe://example.org/web',
  });
});

test('difference from the original: a value that is no valid SPIFFE ID path is refused, not cleaned', () => {
  const cfg = { ...td, podLabel: 'id' };
  for (const bad of ['a//b', 'a/../b', 'has space', 'trailing/', '']) {
    const r = workloadSpiffeId(aPod({ labels: { id: bad } }), cfg);
    assert.equal(r.kind, 'invalid', bad);
  }
});

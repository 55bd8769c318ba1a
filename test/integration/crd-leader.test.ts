// Two crd-mode replicas with leader election on a Lease in the fake API server: only the leader writes;
// when it stops, the other takes over and keeps SpiffeIDs and entries in step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubeLeaseClient } from '../../runtime/kube/lease-client.js';
import { runLeaderElection } from '../../runtime/kube/leader-election.js';
import { CRD_LEADER_ELECTION_LEASE } from '../../runtime/modes/crd.js';
import type { CrdDeps } from '../../runtime/crd/run-crd.js';
import { startCrdWorld } from './crd-harness.js';

// Quick campaigns, but a long lease and renew deadline: a loaded machine that stalls the leader for a
// while must not hand the lease over behind the test's back. Take-over after a stop does not wait for
// expiry (the stopping leader releases the lease).
const fastElection = (identity: string): Partial<CrdDeps> => ({
  leaderElection: (_cfg, kubeConfig, namespace) => (callbacks) =>
    runLeaderElection({
      client: kubeLeaseClient(kubeConfig, namespace, CRD_LEADER_ELECTION_LEASE),
      identity,
      leaseDurationMs: 60_000,
      renewDeadlineMs: 40_000,
      retryPeriodMs: 200,
      ...callbacks,
    }),
});

test('only the leader reconciles; a follower takes over when the leader stops', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube');
  w.putPod({ name: 'web-0', namespace: 'spire', uid: 'u-web-0', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'web' } });
  const a = await w.startRegistrar({ leaderElection: true }, fastElection('replica-a'));
  await a.ready;
  await w.waitFor('a leads', () => a.logs.some((l) => l.msg === 'Started leading: reconciling SpiffeIDs'));
  const b = await w.startRegistrar({ leaderElection: true }, fastElection('replica-b'));
  await b.ready;
  await w.waitFor('two entries', () => w.entries().length === 2);
  assert.ok(!b.logs.some((l) => l.msg === 'Started leading: reconciling SpiffeIDs'), 'b follows while a leads');
  assert.ok(!b.logs.some((l) => l.msg === 'Created new spire entry' || l.msg === 'Created SpiffeID'));

  await a.stop();
  await w.waitFor('b leads', () => b.logs.some((l) => l.msg === 'Started leading: reconciling SpiffeIDs'));
  w.putPod({ name: 'web-1', namespace: 'spire', uid: 'u-web-1', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'web-1' } });
  await w.waitFor('entry for the new pod', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/web-1'));
  assert.equal(w.entries().length, 3);
  const lease = w.kube.store.get('coordination.k8s.io/v1', 'Lease', CRD_LEADER_ELECTION_LEASE, 'spire');
  assert.match(String((lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity), /^replica-b/);
});

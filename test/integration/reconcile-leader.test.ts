// Two replicas with leader_election = true: only the Lease holder writes to SPIRE; when it stops it
// releases the Lease and the follower, whose caches are warm, takes over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaderElectionLeaseName } from '../../runtime/kube/leader-election.js';
import { renewals } from '../fixtures/lease-renewals.js';
import { recordingConnect } from './recording-connect.js';
import { startWorld, type World } from './reconcile-harness.js';

/** The leader's renewals of the Lease (the follower campaigns meanwhile). */
const renewTime = (w: World) => (w.kube.store.get('coordination.k8s.io/v1', 'Lease', LEASE, 'spire')?.spec as { renewTime?: string } | undefined)?.renewTime;

const labelled = (name: string) => ({ name, namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': name } });
// Renewals and campaigns every 100 ms, but a long lease and renew deadline: a loaded machine that stalls
// the leader for a while must not hand the lease over behind the test's back. Take-over after a stop
// does not wait for expiry (the lease is released).
const timing = { leaseDurationMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 100 };
const LEASE = leaderElectionLeaseName('spire-k8s-registrar');

test('two replicas never both write, and the follower takes over after the leader stops', async (t) => {
  const w = await startWorld(t);
  w.putNode('minikube');
  w.putPod(labelled('a'));
  const writes: string[] = [];
  const cfg = { leaderElection: true };
  const deps = (name: string) => ({ namespace: 'spire', identity: name, leaderTiming: timing, connect: recordingConnect(name, (who) => writes.push(who)) });

  const first = await w.startRegistrar(cfg, deps('first'));
  await first.ready;
  await w.waitFor('the first replica to lead', () => first.logs.some((l) => l.msg === 'Started leading: reconciling'));
  const second = await w.startRegistrar(cfg, deps('second'));
  await second.ready;
  await w.waitFor('entries from the leader', () => w.entries().length === 2);

  w.putPod(labelled('b'));
  await w.waitFor('b registered by the leader', () => w.entries().length === 3);
  // Several renewals with both replicas running: the follower campaigns but never leads or writes.
  await renewals(() => renewTime(w), 5);
  assert.equal(second.logs.some((l) => l.msg === 'Started leading: reconciling'), false);
  assert.deepEqual([...new Set(writes)], ['first']);

  await first.stop();
  assert.ok(first.logs.some((l) => l.msg === 'Stopped leading: no more writes to SPIRE'));
  w.deletePod('a');
  w.putPod(labelled('c'));
  await w.waitFor('the follower to take over and apply what changed', () =>
    w.entries().map((e) => e.spiffeId).sort().join() ===
    ['spiffe://example.org/b', 'spiffe://example.org/c', 'spiffe://example.org/spire-k8s-registrar/k8stest/node/minikube'].join(),
  );
  assert.ok(second.logs.some((l) => l.msg === 'Started leading: reconciling'));
  // Every write of the first replica happened before any write of the second: never both.
  const firstSecond = writes.indexOf('second');
  assert.ok(firstSecond > 0);
  assert.deepEqual([...new Set(writes.slice(0, firstSecond))], ['first']);
  assert.deepEqual([...new Set(writes.slice(firstSecond))], ['second']);
});

// Leader election on a real coordination.k8s.io/v1 Lease served by the fake API server, through
// client-node: two electors never lead at once; the follower takes over after the leader releases the
// lease or stops renewing it; stale writes get 409.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../adapters/kube-fake/index.js';
import { createLeaderElector, leaderElectionLeaseName, type LeaderElector } from '../../runtime/kube/leader-election.js';
import { kubeLeaseClient, LeaseConflictError, type LeaseClient } from '../../runtime/kube/lease-client.js';
import { renewals } from '../fixtures/lease-renewals.js';
import { waitUntil } from '../fixtures/wait-until.js';

const leaseName = leaderElectionLeaseName('spire-k8s-registrar');
// Short periods keep the test quick; the ratios are the production ones' (15 s / 10 s / 2 s).
const timing = { leaseDurationMs: 2000, renewDeadlineMs: 1200, retryPeriodMs: 200 };

const waitFor = (what: string, cond: () => boolean, guardMs?: number) => waitUntil(what, cond, guardMs ? { guardMs } : {});

type LeaseView = { spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; leaseTransitions?: number } } | undefined;

/** A client that can be cut off from the API server, as a leader on a partitioned node would be. */
function cuttable(inner: LeaseClient): LeaseClient & { cut: boolean } {
  const c = {
    cut: false,
    guard<T>(f: () => Promise<T>): Promise<T> {
      return c.cut ? Promise.reject(new Error('connect ETIMEDOUT')) : f();
    },
    get: () => c.guard(() => inner.get()),
    create: (s: Parameters<LeaseClient['create']>[0]) => c.guard(() => inner.create(s)),
    update: (s: Parameters<LeaseClient['update']>[0], rv: string) => c.guard(() => inner.update(s, rv)),
  };
  return c;
}

type Replica = { name: string; elector: LeaderElector; client: ReturnType<typeof cuttable>; terms: AbortSignal[] };

async function twoReplicas(t: TestContext, periods: typeof timing = timing) {
  const api: FakeKubeApi = await startFakeKubeApi();
  t.after(() => api.close());
  const make = (name: string): Replica => {
    const client = cuttable(kubeLeaseClient(api.kubeConfig(), 'default', leaseName));
    const terms: AbortSignal[] = [];
    const elector = createLeaderElector({
      client,
      identity: name,
      ...periods,
      onStartedLeading: (signal) => void terms.push(signal),
      onStoppedLeading: () => {},
    });
    return { name, elector, client, terms };
  };
  const a = make('replica-a');
  const b = make('replica-b');
  t.after(() => Promise.all([a.elector.stop(), b.elector.stop()]));
  // A sampler checks the safety property throughout the test.
  let bothLed = false;
  const sampler = setInterval(() => {
    if (a.elector.isLeader() && b.elector.isLeader()) bothLed = true;
  }, 5);
  t.after(() => clearInterval(sampler));
  const lease = () => api.store.get('coordination.k8s.io/v1', 'Lease', leaseName, 'default') as LeaseView;
  return { api, a, b, lease, bothLed: () => bothLed };
}

test('two electors on one Lease: exactly one leads and the Lease names it', async (t) => {
  const { a, b, lease, bothLed } = await twoReplicas(t);
  a.elector.start();
  b.elector.start();
  await waitFor('a leader', () => a.elector.isLeader() || b.elector.isLeader());
  await renewals(() => lease()?.spec?.renewTime, 5);
  const leader = a.elector.isLeader() ? a : b;
  const follower = leader === a ? b : a;
  assert.equal(follower.elector.isLeader(), false);
  assert.equal(lease()?.spec?.holderIdentity, leader.name);
  assert.equal(lease()?.spec?.leaseDurationSeconds, 2);
  assert.match(lease()?.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'RFC 3339 MicroTime');
  assert.equal(follower.elector.leader(), leader.name);
  assert.ok(follower.elector.leadershipKnown());
  assert.equal(bothLed(), false);
});

test('the follower takes over soon after the leader releases the Lease on shutdown', async (t) => {
  // A 60 s lease: had the release not worked, b would wait it out and the 45 s guard would end the wait first.
  const { a, b, lease, bothLed } = await twoReplicas(t, { ...timing, leaseDurationMs: 60_000 });
  a.elector.start();
  await waitFor('a to lead', () => a.elector.isLeader());
  b.elector.start();
  await waitFor('b to see a', () => b.elector.leader() === 'replica-a');
  await a.elector.stop();
  assert.equal(a.terms[0]?.aborted, true);
  assert.equal(lease()?.spec?.holderIdentity, '', 'released');
  await waitFor('b to lead', () => b.elector.isLeader(), 45_000);
  assert.equal(lease()?.spec?.holderIdentity, 'replica-b');
  assert.equal(lease()?.spec?.leaseTransitions, 1);
  assert.equal(bothLed(), false);
});

test('a leader that stops renewing steps down, and the follower takes over once the lease expires', async (t) => {
  const { a, b, lease, bothLed } = await twoReplicas(t);
  a.elector.start();
  await waitFor('a to lead', () => a.elector.isLeader());
  b.elector.start();
  await waitFor('b to see a', () => b.elector.leader() === 'replica-a');
  a.client.cut = true;
  await waitFor('a to step down', () => !a.elector.isLeader());
  assert.equal(a.terms[0]?.aborted, true);
  await waitFor('b to lead', () => b.elector.isLeader());
  assert.equal(lease()?.spec?.holderIdentity, 'replica-b');
  assert.equal(bothLed(), false);
  // a comes back and follows
  a.client.cut = false;
  await waitFor('a to see b', () => a.elector.leader() === 'replica-b');
  await renewals(() => lease()?.spec?.renewTime, 3); // b keeps renewing while a campaigns
  assert.equal(a.elector.isLeader(), false);
  assert.equal(bothLed(), false);
});

test('a write with a stale resourceVersion is a LeaseConflictError (409), as is creating twice', async (t) => {
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  const client = kubeLeaseClient(api.kubeConfig(), 'default', leaseName);
  assert.equal(await client.get(), undefined);
  const spec = { holderIdentity: 'x', leaseDurationSeconds: 15, acquireTime: Date.now(), renewTime: Date.now(), leaseTransitions: 0 };
  const created = await client.create(spec);
  await assert.rejects(client.create(spec), LeaseConflictError);
  const updated = await client.update({ ...spec, holderIdentity: 'y' }, created.resourceVersion);
  assert.equal(updated.holderIdentity, 'y');
  assert.equal((await client.get())?.holderIdentity, 'y');
  await assert.rejects(client.update({ ...spec, holderIdentity: 'z' }, created.resourceVersion), LeaseConflictError);
  assert.ok(Math.abs((updated.renewTime ?? 0) - spec.renewTime) < 1000, 'renewTime round-trips');
});

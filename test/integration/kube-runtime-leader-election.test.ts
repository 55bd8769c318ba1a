// Leader election on a real coordination.k8s.io/v1 Lease served by the fake API server, through
// client-node: two electors never lead at once; the follower takes over after the leader releases the
// lease or stops renewing it; stale writes get 409.
// Both electors run on one clock the test steps, and only while no lease request is on its way: a request
// is then never late against the lease's deadlines, so no stall of a loaded machine can move leadership,
// and never-two-leaders is checked after every step (every lease decision happens inside one).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { startFakeKubeApi, type FakeKubeApi } from '../../adapters/kube-fake/index.js';
import { createLeaderElector, leaderElectionLeaseName, type LeaderElector } from '../../runtime/kube/leader-election.js';
import { kubeLeaseClient, LeaseConflictError, type LeaseClient } from '../../runtime/kube/lease-client.js';
import { renewals } from '../fixtures/lease-renewals.js';
import { manualClock } from '../fixtures/manual-clock.js';
import { waitUntil } from '../fixtures/wait-until.js';

const leaseName = leaderElectionLeaseName('spire-k8s-registrar');
// The ratios are the production ones' (15 s / 10 s / 2 s).
const timing = { leaseDurationMs: 2000, renewDeadlineMs: 1200, retryPeriodMs: 200 };

type LeaseView = { spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; leaseTransitions?: number } } | undefined;

/** A client that can be cut off from the API server, as a leader on a partitioned node would be; counts requests in flight. */
function cuttable(inner: LeaseClient, inFlight: { n: number }): LeaseClient & { cut: boolean } {
  const c = {
    cut: false,
    async guard<T>(f: () => Promise<T>): Promise<T> {
      if (c.cut) throw new Error('connect ETIMEDOUT');
      inFlight.n++;
      try {
        return await f();
      } finally {
        inFlight.n--;
      }
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
  const clock = manualClock();
  const inFlight = { n: 0 };
  const make = (name: string): Replica => {
    const client = cuttable(kubeLeaseClient(api.kubeConfig(), 'default', leaseName), inFlight);
    const terms: AbortSignal[] = [];
    const elector = createLeaderElector({
      client,
      identity: name,
      ...periods,
      clock,
      onStartedLeading: (signal) => void terms.push(signal),
      onStoppedLeading: () => {},
    });
    return { name, elector, client, terms };
  };
  const a = make('replica-a');
  const b = make('replica-b');
  t.after(() => Promise.all([a.elector.stop(), b.elector.stop()]));
  /** 20 ms of lease time, once every lease request sent has been answered; then never two leaders. */
  const step = async () => {
    if (inFlight.n === 0) await clock.advance(20);
    else await new Promise((r) => setImmediate(r));
    assert.equal(a.elector.isLeader() && b.elector.isLeader(), false, 'two leaders at once');
  };
  /** Steps the lease clock until `cond` holds. */
  const waitFor = (what: string, cond: () => boolean) => waitUntil(what, async () => cond() || (await step(), false), { intervalMs: 1 });
  const lease = () => api.store.get('coordination.k8s.io/v1', 'Lease', leaseName, 'default') as LeaseView;
  const renewTime = () => lease()?.spec?.renewTime;
  return { api, a, b, lease, clock, step, waitFor, renewTime };
}

test('two electors on one Lease: exactly one leads and the Lease names it', async (t) => {
  const { a, b, lease, step, waitFor, renewTime } = await twoReplicas(t);
  a.elector.start();
  b.elector.start();
  await waitFor('a leader', () => a.elector.isLeader() || b.elector.isLeader());
  await renewals(renewTime, 5, step);
  const leader = a.elector.isLeader() ? a : b;
  const follower = leader === a ? b : a;
  assert.equal(follower.elector.isLeader(), false);
  assert.equal(lease()?.spec?.holderIdentity, leader.name);
  assert.equal(lease()?.spec?.leaseDurationSeconds, 2);
  assert.match(lease()?.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'RFC 3339 MicroTime');
  assert.equal(follower.elector.leader(), leader.name);
  assert.ok(follower.elector.leadershipKnown());
});

test('the follower takes over soon after the leader releases the Lease on shutdown', async (t) => {
  // A 60 s lease: had the release not worked, b would have to wait it out.
  const { a, b, lease, clock, waitFor } = await twoReplicas(t, { ...timing, leaseDurationMs: 60_000 });
  a.elector.start();
  await waitFor('a to lead', () => a.elector.isLeader());
  b.elector.start();
  await waitFor('b to see a', () => b.elector.leader() === 'replica-a');
  await a.elector.stop();
  assert.equal(a.terms[0]?.aborted, true);
  assert.equal(lease()?.spec?.holderIdentity, '', 'released');
  const released = clock.now();
  await waitFor('b to lead', () => b.elector.isLeader());
  assert.ok(clock.now() - released <= 3 * timing.retryPeriodMs * 1.2, `b led ${clock.now() - released} ms after the release: within its next campaign`);
  assert.equal(lease()?.spec?.holderIdentity, 'replica-b');
  assert.equal(lease()?.spec?.leaseTransitions, 1);
});

test('a leader that stops renewing steps down, and the follower takes over once the lease expires', async (t) => {
  const { a, b, lease, clock, step, waitFor, renewTime } = await twoReplicas(t);
  a.elector.start();
  await waitFor('a to lead', () => a.elector.isLeader());
  b.elector.start();
  await waitFor('b to see a', () => b.elector.leader() === 'replica-a');
  a.client.cut = true;
  const lastRenew = Date.parse(renewTime() ?? '');
  await waitFor('a to step down', () => !a.elector.isLeader());
  assert.equal(a.terms[0]?.aborted, true);
  assert.ok(clock.now() - lastRenew <= timing.renewDeadlineMs + 20, `a stopped ${clock.now() - lastRenew} ms after its last renewal: by its renew deadline`);
  await waitFor('b to lead', () => b.elector.isLeader());
  assert.ok(clock.now() - lastRenew >= timing.leaseDurationMs, 'b waited for the lease to expire');
  assert.equal(lease()?.spec?.holderIdentity, 'replica-b');
  // a comes back and follows
  a.client.cut = false;
  await waitFor('a to see b', () => a.elector.leader() === 'replica-b');
  await renewals(renewTime, 3, step); // b keeps renewing while a campaigns
  assert.equal(a.elector.isLeader(), false);
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

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from '../../test/fixtures/manual-clock.js';
import { createLeaderElector, leaderElectionLeaseName, leaderIdentity, runLeaderElection } from './leader-election.js';
import { LeaseConflictError, type LeaseClient, type LeaseRecord } from './lease-client.js';

// One Lease in memory with the API server's compare-and-swap; each replica gets its own client, which
// a test can cut off from the "API server".
function memoryLease() {
  let rec: LeaseRecord | undefined;
  let rv = 0;
  const client = (): LeaseClient & { down: boolean } => {
    const c = {
      down: false,
      check() {
        if (c.down) throw new Error('connect ETIMEDOUT');
      },
      async get() {
        c.check();
        return rec;
      },
      async create(spec: Omit<LeaseRecord, 'resourceVersion'>) {
        c.check();
        if (rec) throw new LeaseConflictError('already exists');
        rec = { ...spec, resourceVersion: String(++rv) };
        return rec;
      },
      async update(spec: Omit<LeaseRecord, 'resourceVersion'>, resourceVersion: string) {
        c.check();
        if (!rec || rec.resourceVersion !== resourceVersion) throw new LeaseConflictError('conflict');
        rec = { ...spec, resourceVersion: String(++rv) };
        return rec;
      },
    };
    return c;
  };
  return { client, record: () => rec };
}

function replica(name: string, client: LeaseClient, clock: ReturnType<typeof manualClock>) {
  const events: string[] = [];
  const gauge: number[] = [];
  let term: AbortSignal | undefined;
  const elector = createLeaderElector({
    client,
    identity: name,
    clock,
    random: () => 0,
    onStartedLeading: (signal) => {
      term = signal;
      events.push('started');
    },
    onStoppedLeading: () => void events.push('stopped'),
    leaderGauge: { set: (v) => gauge.push(v) },
  });
  return { elector, events, gauge, term: () => term };
}

/** Advances time in small steps, asserting that two replicas never lead at once. */
async function run(clock: ReturnType<typeof manualClock>, ms: number, ...rs: Array<ReturnType<typeof replica>>) {
  for (let t = 0; t < ms; t += 250) {
    await clock.advance(250);
    assert.ok(rs.filter((r) => r.elector.isLeader()).length <= 1, 'two leaders at once');
  }
}

test('one of two replicas leads; the other follows and both know the leadership', async () => {
  const clock = manualClock();
  const lease = memoryLease();
  const a = replica('a', lease.client(), clock);
  const b = replica('b', lease.client(), clock);
  a.elector.start();
  b.elector.start();
  await run(clock, 30_000, a, b);
  assert.equal(a.elector.isLeader(), true);
  assert.equal(b.elector.isLeader(), false);
  assert.equal(b.elector.leader(), 'a');
  assert.ok(a.elector.leadershipKnown() && b.elector.leadershipKnown());
  assert.equal(lease.record()?.leaseDurationSeconds, 15);
  assert.deepEqual(a.gauge.at(-1), 1);
  await Promise.all([a.elector.stop(), b.elector.stop()]);
});

test('a leader that stops releases the lease and the follower takes over within a retry period', async () => {
  const clock = manualClock();
  const lease = memoryLease();
  const a = replica('a', lease.client(), clock);
  const b = replica('b', lease.client(), clock);
  a.elector.start();
  await run(clock, 1000, a);
  b.elector.start();
  await run(clock, 5000, a, b);
  const stopping = a.elector.stop();
  await clock.advance(0);
  await stopping;
  assert.deepEqual(a.events, ['started', 'stopped']);
  assert.equal(a.term()?.aborted, true);
  assert.equal(lease.record()?.holderIdentity, '');
  assert.equal(lease.record()?.leaseDurationSeconds, 1);
  await run(clock, 2500, a, b);
  assert.equal(b.elector.isLeader(), true);
  assert.equal(lease.record()?.leaseTransitions, 1);
  await b.elector.stop();
});

test('a leader cut off from the API server steps down after the renew deadline; the follower waits out the lease', async () => {
  const clock = manualClock();
  const lease = memoryLease();
  const aClient = lease.client();
  const a = replica('a', aClient, clock);
  const b = replica('b', lease.client(), clock);
  a.elector.start();
  await run(clock, 1000, a);
  b.elector.start();
  await run(clock, 3000, a, b);
  const cutAt = clock.now();
  aClient.down = true;
  let aSteppedDownAt = 0;
  let bLeadAt = 0;
  for (let t = 0; t < 30_000; t += 250) {
    await run(clock, 250, a, b);
    if (!aSteppedDownAt && !a.elector.isLeader()) aSteppedDownAt = clock.now() - cutAt;
    if (!bLeadAt && b.elector.isLeader()) bLeadAt = clock.now() - cutAt;
  }
  assert.ok(aSteppedDownAt > 0 && aSteppedDownAt <= 10_250, `a stepped down after ${aSteppedDownAt} ms`);
  assert.ok(bLeadAt >= 13_000 && bLeadAt <= 18_000, `b took over after ${bLeadAt} ms`);
  assert.equal(a.term()?.aborted, true);
  assert.deepEqual(a.events, ['started', 'stopped']);
  await Promise.all([a.elector.stop(), b.elector.stop()]);
});

test('a leader that finds another holder in the lease steps down at once', async () => {
  const clock = manualClock();
  const lease = memoryLease();
  const a = replica('a', lease.client(), clock);
  a.elector.start();
  await run(clock, 1000, a);
  const intruder = lease.client();
  const rec = lease.record() as LeaseRecord;
  await intruder.update({ ...rec, holderIdentity: 'intruder', renewTime: clock.now() }, rec.resourceVersion);
  await run(clock, 2500, a);
  assert.equal(a.elector.isLeader(), false);
  assert.equal(a.elector.leader(), 'intruder');
  await a.elector.stop();
  assert.equal(lease.record()?.holderIdentity, 'intruder', 'a non-leader does not release');
});

test('an API server that is down leaves leadership unknown', async () => {
  const clock = manualClock();
  const lease = memoryLease();
  const c = lease.client();
  c.down = true;
  const a = replica('a', c, clock);
  a.elector.start();
  await run(clock, 10_000, a);
  assert.equal(a.elector.leadershipKnown(), false);
  c.down = false;
  await run(clock, 3000, a);
  assert.equal(a.elector.isLeader(), true);
  await a.elector.stop();
});

test('the lease is named after the controller and identities are unique per process', () => {
  assert.equal(leaderElectionLeaseName('spire-k8s-registrar'), 'spire-k8s-registrar-leader-election');
  const a = leaderIdentity({ POD_NAME: 'registrar-0' }, 'host');
  assert.match(a, /^registrar-0_[0-9a-f-]{36}$/);
  assert.notEqual(a, leaderIdentity({ POD_NAME: 'registrar-0' }, 'host'));
  assert.match(leaderIdentity({}, 'host-1'), /^host-1_/);
});

test('on stop the lease is released only after onStoppedLeading finished draining', async () => {
  const clock = manualClock();
  const lease = memoryLease();
  const order: string[] = [];
  let finishDrain = () => {};
  const controller = new AbortController();
  const done = runLeaderElection({
    client: lease.client(),
    identity: 'a',
    clock,
    signal: controller.signal,
    onStartedLeading: () => void order.push('started'),
    onStoppedLeading: () =>
      new Promise<void>((resolve) => {
        order.push('draining');
        finishDrain = () => {
          order.push(`drained (holder ${lease.record()?.holderIdentity})`);
          resolve();
        };
      }),
  });
  await clock.advance(1000);
  controller.abort();
  await clock.advance(0);
  assert.deepEqual(order, ['started', 'draining']);
  assert.equal(lease.record()?.holderIdentity, 'a', 'still held while draining');
  finishDrain();
  await done;
  assert.deepEqual(order, ['started', 'draining', 'drained (holder a)']);
  assert.equal(lease.record()?.holderIdentity, '');
});

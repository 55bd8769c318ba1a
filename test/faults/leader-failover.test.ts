// Leader election under faults, two reconcile-mode replicas. The first leader reaches the API server
// through a forwarder that can partition it. "Killed": it loses the API server and SPIRE at once and
// never releases its Lease, as a process killed with SIGKILL. "Partitioned": it loses only the API
// server and must stop writing by itself within the renew deadline. Either way the other replica takes
// over once the lease expires, there is never more than one leader (so never two writers), and the final
// entry set is exact.
// The lease runs on a clock the test steps (both replicas share it): no stall of a loaded machine can
// expire a lease or end a term; only the test's steps do, so the order the timings promise (the old
// leader stops at the renew deadline, 700 ms, before the lease expires for the other, 1 s) is what is tested.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeKubeConfig } from '../../adapters/kube-fake/kubeconfig.js';
import { manualClock } from '../fixtures/manual-clock.js';
import { waitUntil } from '../fixtures/wait-until.js';
import { describeEntries, ROOT, startWorld, type Replica } from '../integration/reconcile-harness.js';
import { recordingConnect } from '../integration/recording-connect.js';
import { tcpCut } from './tcp-cut.js';

const labelled = (name: string) => ({ name, namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': name } });
const podIds = (entries: { spiffeId: string }[]) => entries.map((e) => e.spiffeId).filter((id) => !id.startsWith(ROOT)).sort();
const STARTED = 'Started leading: reconciling';
const STOPPED = 'Stopped leading: no more writes to SPIRE';

/** Whether the replica is in a term, by its own account (its last Started/Stopped leading line). */
const leading = (r: Replica | undefined) => r?.logs.filter((l) => l.msg === STARTED || l.msg === STOPPED).at(-1)?.msg === STARTED;

for (const fault of ['killed', 'partitioned'] as const) {
  test(`a ${fault} leader: the other replica takes over, one leader at a time, exact final state`, async (t) => {
    const w = await startWorld(t);
    w.putNode('minikube');
    w.putPod(labelled('a'));
    const cut = await tcpCut(w.kube.port);
    t.after(() => cut.close());
    const leaseClock = manualClock();
    const timing = { leaseDurationMs: 1_000, renewDeadlineMs: 700, retryPeriodMs: 100, clock: leaseClock };
    const replicas = new Map<string, Replica>();
    const writes: string[] = [];
    /** Writes (killed: attempts too) made while the other replica was in a term: must stay empty. */
    const overlaps: string[] = [];
    const onWrite = (who: string) => {
      writes.push(who);
      const other = replicas.get(who === 'first' ? 'second' : 'first');
      if (leading(other)) overlaps.push(`${who} wrote while the other replica led`);
    };
    let firstKilled = false;
    const cfg = { leaderElection: true, resyncIntervalMs: 300 };
    const first = await w.startRegistrar(cfg, {
      namespace: 'spire',
      identity: 'first',
      leaderTiming: timing,
      kubeConfig: () => makeKubeConfig({ server: cut.url }),
      connect: recordingConnect('first', onWrite, () => firstKilled),
    });
    replicas.set('first', first);
    await first.ready;
    await w.waitFor('the first replica to lead', () => leading(first));
    const second = await w.startRegistrar(cfg, { namespace: 'spire', identity: 'second', leaderTiming: timing, connect: recordingConnect('second', onWrite) });
    replicas.set('second', second);
    await second.ready;
    await w.waitFor('the entries of the first leader', () => w.entries().length === 2);
    // The lease clock has not moved: however long that took, the first still leads and the second follows.
    assert.deepEqual([leading(first), leading(second)], [true, false]);

    cut.partition();
    if (fault === 'killed') firstKilled = true;
    w.deletePod('a');
    w.putPod(labelled('b'));
    w.putPod(labelled('c'));
    // Small steps of lease time: every lease decision happens inside a step, so two leaders at once would
    // still be there when the step returns.
    const step = async () => {
      assert.equal(leading(first) && leading(second), false, 'two leaders at once');
      await leaseClock.advance(10);
    };
    await waitUntil('the second replica to lead', async () => leading(second) || (await step(), false));
    // It noticed by itself that it could not renew, and stopped before the other could lead.
    assert.equal(leading(first), false);
    assert.ok(first.logs.some((l) => l.msg === 'Lost the leader lease'));
    await w.waitFor('the changes made during the failover', () => podIds(w.entries()).join() === 'spiffe://example.org/b,spiffe://example.org/c');

    cut.heal();
    w.putPod(labelled('d'));
    await w.waitFor('d registered by the new leader', () => podIds(w.entries()).includes('spiffe://example.org/d'));
    assert.deepEqual([leading(first), leading(second)], [false, true]);
    assert.deepEqual(overlaps, []);
    const firstOfSecond = writes.indexOf('second');
    assert.ok(firstOfSecond > 0, 'the first wrote, then the second');
    assert.deepEqual([...new Set(writes.slice(firstOfSecond))], ['second']);
    assert.equal(describeEntries(w.entries()).length, 4, 'node entry + b, c, d: no duplicate, no orphan');
    // The first's lease request lost in the partition ends at its deadline, on the lease clock: step it.
    let stopped = false;
    const stopping = first.stop().then(() => (stopped = true));
    await waitUntil('the first replica to stop', async () => stopped || (await step(), false));
    await stopping;
  });
}

// Leader election under faults, two reconcile-mode replicas with short lease timings. The first leader
// reaches the API server through a forwarder that can partition it. "Killed": it loses the API server
// and SPIRE at once and never releases its Lease, as a process killed with SIGKILL. "Partitioned": it
// loses only the API server and must stop writing by itself within the renew deadline. Either way the
// other replica takes over once the lease expires, there is never more than one writer, and the final
// entry set is exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EntryStore } from '../../adapters/entry-store.js';
import { makeKubeConfig } from '../../adapters/kube-fake/kubeconfig.js';
import { connectSpire } from '../../adapters/spire/connect.js';
import { SpireCallError } from '../../adapters/entry-store.js';
import type { ReconcileConfig } from '../../runtime/config/registrar-config.js';
import { describeEntries, ROOT, startWorld } from '../integration/reconcile-harness.js';
import { tcpCut } from './tcp-cut.js';

const labelled = (name: string) => ({ name, namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': name } });
const timing = { leaseDurationMs: 1_000, renewDeadlineMs: 700, retryPeriodMs: 100 };
const podIds = (entries: { spiffeId: string }[]) => entries.map((e) => e.spiffeId).filter((id) => !id.startsWith(ROOT)).sort();

type Writes = { who: string; at: number }[];

/** A replica's SPIRE connection that records each write, and can be killed (every call fails at once). */
function recordingConnect(name: string, writes: Writes, killed: () => boolean) {
  return async (cfg: ReconcileConfig) => {
    const client = await connectSpire({ serverAddress: cfg.serverAddress, trustDomain: cfg.trustDomain });
    const s = client.entries;
    const gate = <T>(call: () => Promise<T>, write: boolean): Promise<T> => {
      if (killed()) return Promise.reject(new SpireCallError(`${name} is dead`, 14));
      if (write) writes.push({ who: name, at: writes.length });
      return call();
    };
    const entries: EntryStore = {
      listEntries: (f, o) => gate(() => s.listEntries(f, o), false),
      getEntry: (id, o) => gate(() => s.getEntry(id, o), false),
      countEntries: (f, o) => gate(() => s.countEntries(f, o), false),
      createEntries: (e, o) => gate(() => s.createEntries(e, o), true),
      updateEntries: (e, m, o) => gate(() => s.updateEntries(e, m, o), true),
      deleteEntries: (ids, o) => gate(() => s.deleteEntries(ids, o), true),
      close: () => s.close(),
    };
    return { entries, close: () => client.close() };
  };
}

for (const fault of ['killed', 'partitioned'] as const) {
  test(`a ${fault} leader: the other replica takes over, one writer at a time, exact final state`, async (t) => {
    const w = await startWorld(t);
    w.putNode('minikube');
    w.putPod(labelled('a'));
    const cut = await tcpCut(w.kube.port);
    t.after(() => cut.close());
    const writes: Writes = [];
    let firstKilled = false;
    const cfg = { leaderElection: true, resyncIntervalMs: 300 };
    const first = await w.startRegistrar(cfg, {
      namespace: 'spire',
      identity: 'first',
      leaderTiming: timing,
      kubeConfig: () => makeKubeConfig({ server: cut.url }),
      connect: recordingConnect('first', writes, () => firstKilled),
    });
    await first.ready;
    await w.waitFor('the first replica to lead', () => first.logs.some((l) => l.msg === 'Started leading: reconciling'));
    const second = await w.startRegistrar(cfg, { namespace: 'spire', identity: 'second', leaderTiming: timing, connect: recordingConnect('second', writes, () => false) });
    await second.ready;
    await w.waitFor('the entries of the first leader', () => w.entries().length === 2);

    cut.partition();
    if (fault === 'killed') firstKilled = true;
    w.deletePod('a');
    w.putPod(labelled('b'));
    w.putPod(labelled('c'));
    await w.waitFor('the second replica to lead', () => second.logs.some((l) => l.msg === 'Started leading: reconciling'));
    await w.waitFor('the changes made during the failover', () => podIds(w.entries()).join() === 'spiffe://example.org/b,spiffe://example.org/c');
    if (fault === 'partitioned') {
      // It noticed by itself that it could not renew, and stopped writing before the other could lead.
      assert.ok(first.logs.some((l) => l.msg === 'Stopped leading: no more writes to SPIRE'));
    }
    // Never two writers: every write of the first replica comes before the second's first write.
    const firstOfSecond = writes.findIndex((x) => x.who === 'second');
    assert.ok(firstOfSecond >= 0);
    assert.deepEqual([...new Set(writes.slice(firstOfSecond).map((x) => x.who))], ['second']);

    cut.heal();
    w.putPod(labelled('d'));
    await w.waitFor('d registered by the new leader', () => podIds(w.entries()).includes('spiffe://example.org/d'));
    assert.deepEqual([...new Set(writes.slice(firstOfSecond).map((x) => x.who))], ['second']);
    assert.equal(describeEntries(w.entries()).length, 4, 'node entry + b, c, d: no duplicate, no orphan');
    await first.stop();
  });
}

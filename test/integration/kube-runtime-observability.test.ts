// The Kubernetes runtime pieces composed the way reconcile and crd modes compose them, against the fake
// API server: informer events feed a work queue; readiness waits for the caches and the leadership;
// /metrics shows queue depth, informer restarts and the leader gauge; graceful shutdown stops the
// informers, drains the queue, releases the lease and closes the server, in that order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeKubeApi, type KubeObject } from '../../adapters/kube-fake/index.js';
import { PodSchema } from '../../handlers/k8s/pod.js';
import { createInformer, projection } from '../../runtime/kube/informer.js';
import { createLeaderElector, leaderElectionLeaseName } from '../../runtime/kube/leader-election.js';
import { kubeLeaseClient } from '../../runtime/kube/lease-client.js';
import { kubeListWatchSource } from '../../runtime/kube/list-watch-source.js';
import { shutDownGracefully } from '../../runtime/kube/shutdown.js';
import { createWorkQueue } from '../../runtime/kube/work-queue.js';
import { startObservabilityServer } from '../../runtime/observability/http-server.js';
import { createMetrics } from '../../runtime/observability/metrics.js';
import { createReadiness } from '../../runtime/observability/readiness.js';
import { aRawPod } from '../fixtures/k8s-objects.js';
import { waitUntil } from '../fixtures/wait-until.js';

const waitFor = (what: string, cond: () => boolean | Promise<boolean>) => waitUntil(what, cond);

test('informer -> queue -> leader-gated work, readiness, metrics and ordered shutdown', async (t) => {
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  for (const name of ['a', 'b']) api.store.putObject(aRawPod({ name, namespace: 'default' }) as KubeObject);

  const metrics = createMetrics({ defaultMetrics: false });
  const readiness = createReadiness();
  const server = await startObservabilityServer({ addr: '127.0.0.1:0', metrics, readiness });
  assert.ok(server);
  t.after(() => server.close());

  const pods = createInformer({
    source: kubeListWatchSource({ kubeConfig: api.kubeConfig(), version: 'v1', plural: 'pods' }),
    project: projection(PodSchema, (p) => ({ name: p.metadata.name })),
    backoff: { minMs: 20, maxMs: 200 },
    onRestart: (reason) => metrics.informerRestarts.inc({ resource: 'pods', reason }),
  });
  readiness.register('pod cache synced', () => pods.hasSynced());

  // Work only happens while leading; it is gated on a release that the test controls.
  let leaderTerm: AbortSignal | undefined;
  const processed: string[] = [];
  let release = () => {};
  const inFlight = new Promise<void>((r) => {
    release = r;
  });
  const queue = createWorkQueue({
    concurrency: 2,
    onDepthChange: (d) => metrics.queueDepth.set({ queue: 'pods' }, d),
    process: async (key) => {
      if (!leaderTerm || leaderTerm.aborted) return;
      processed.push(key);
      if (key === 'default/slow') await inFlight;
    },
  });
  pods.onChange((key) => queue.add(key));

  const order: string[] = [];
  const elector = createLeaderElector({
    client: kubeLeaseClient(api.kubeConfig(), 'default', leaderElectionLeaseName('spire-k8s-registrar')),
    identity: 'registrar-0',
    retryPeriodMs: 200,
    leaderGauge: metrics.leader,
    onStartedLeading: (signal) => {
      leaderTerm = signal;
      for (const p of pods.list()) queue.add(`default/${p.name}`);
    },
    onStoppedLeading: () => void order.push('stopped leading'),
  });
  readiness.register('leadership known', () => elector.leadershipKnown());

  const readyz = async () => (await fetch(`${server.url}/readyz`)).status;
  assert.equal(await readyz(), 503);
  pods.start();
  await pods.synced();
  assert.equal(await readyz(), 503, 'caches synced but leadership not known yet');
  elector.start();
  await waitFor('leadership', () => elector.isLeader());
  assert.equal(await readyz(), 200);
  await waitFor('initial keys', () => processed.length >= 2);

  // A watch restart is counted, and events still reach the queue afterwards.
  await waitFor('the watch', () => api.watchCount === 1);
  api.dropWatches('end');
  api.store.putObject(aRawPod({ name: 'slow', namespace: 'default' }) as KubeObject);
  await waitFor('the slow key to start', () => processed.includes('default/slow'));

  const body = await (await fetch(`${server.url}/metrics`)).text();
  assert.ok(body.includes('k8s_workload_registrar_leader 1'), 'leader gauge');
  assert.ok(body.includes('k8s_workload_registrar_informer_restarts_total{resource="pods",reason="watch-closed"} 1'));
  assert.match(body, /k8s_workload_registrar_work_queue_depth\{queue="pods"\} 0/);

  // Shutdown while 'slow' is in flight: the lease must stay held until the queue drained.
  const done = shutDownGracefully({
    stopInformers: async () => {
      await pods.stop();
      order.push('informers stopped');
    },
    drainWork: async () => {
      await queue.shutDown();
      order.push(`drained (lease holder: ${leaseHolder()})`);
    },
    releaseLease: async () => {
      await elector.stop();
      order.push(`released (lease holder: ${leaseHolder() || 'none'})`);
    },
    closeServers: async () => {
      await server.close();
      order.push('server closed');
    },
  });
  const leaseHolder = () =>
    (api.store.get('coordination.k8s.io/v1', 'Lease', 'spire-k8s-registrar-leader-election', 'default') as
      | { spec?: { holderIdentity?: string } }
      | undefined)?.spec?.holderIdentity ?? '';
  await waitFor('informers to stop', () => order.includes('informers stopped'));
  await waitFor('the server to see the watch closed', () => api.watchCount === 0);
  release();
  assert.deepEqual(await done, []);
  assert.deepEqual(order, [
    'informers stopped',
    'drained (lease holder: registrar-0)',
    'stopped leading',
    'released (lease holder: none)',
    'server closed',
  ]);
  assert.equal((await metrics.leader.get()).values[0]?.value, 0, 'leader gauge back to 0');
  await assert.rejects(fetch(`${server.url}/healthz`), 'the server is closed');
});

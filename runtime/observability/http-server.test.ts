import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startObservabilityServer } from './http-server.js';
import { createMetrics } from './metrics.js';
import { createReadiness } from './readiness.js';

async function started(t: import('node:test').TestContext) {
  const metrics = createMetrics({ defaultMetrics: false });
  const readiness = createReadiness();
  const server = await startObservabilityServer({ addr: '127.0.0.1:0', metrics, readiness });
  assert.ok(server);
  t.after(() => server.close());
  return { metrics, readiness, server };
}

test('"0" disables the server', async () => {
  const s = await startObservabilityServer({
    addr: '0',
    metrics: createMetrics({ defaultMetrics: false }),
    readiness: createReadiness(),
  });
  assert.equal(s, undefined);
});

test('/healthz answers ok while the process runs', async (t) => {
  const { server } = await started(t);
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'ok\n');
});

test('/readyz is 503 naming the failing checks until they pass', async (t) => {
  const { readiness, server } = await started(t);
  const synced = readiness.flag('informers-synced');
  let res = await fetch(`${server.url}/readyz`);
  assert.equal(res.status, 503);
  assert.equal(await res.text(), 'not ready: informers-synced\n');
  synced.set(true);
  res = await fetch(`${server.url}/readyz`);
  assert.equal(res.status, 200);
});

test('/metrics exposes every registrar metric in Prometheus text format', async (t) => {
  const { metrics, server } = await started(t);
  metrics.entriesCreated.inc(3);
  metrics.entriesUpdated.inc();
  metrics.entriesDeleted.inc(2);
  metrics.reconcileDuration.observe({ controller: 'reconcile', result: 'success' }, 0.2);
  metrics.queueDepth.set({ queue: 'pods' }, 7);
  metrics.spireCalls.inc({ method: 'BatchCreateEntry', code: 'OK' });
  metrics.spireCallErrors.inc({ method: 'ListEntries', code: 'UNAVAILABLE' });
  metrics.leader.set(1);
  metrics.informerRestarts.inc({ resource: 'pods', reason: 'expired' });
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const body = await res.text();
  for (const line of [
    'k8s_workload_registrar_entries_created_total 3',
    'k8s_workload_registrar_entries_updated_total 1',
    'k8s_workload_registrar_entries_deleted_total 2',
    'k8s_workload_registrar_reconcile_duration_seconds_count{controller="reconcile",result="success"} 1',
    'k8s_workload_registrar_work_queue_depth{queue="pods"} 7',
    'k8s_workload_registrar_spire_calls_total{method="BatchCreateEntry",code="OK"} 1',
    'k8s_workload_registrar_spire_call_errors_total{method="ListEntries",code="UNAVAILABLE"} 1',
    'k8s_workload_registrar_leader 1',
    'k8s_workload_registrar_informer_restarts_total{resource="pods",reason="expired"} 1',
  ]) {
    assert.ok(body.split('\n').includes(line), `missing line: ${line}`);
  }
});

test('unknown paths are 404 and writes are 405', async (t) => {
  const { server } = await started(t);
  assert.equal((await fetch(`${server.url}/nope`)).status, 404);
  assert.equal((await fetch(`${server.url}/metrics`, { method: 'POST' })).status, 405);
});

test('two registries do not collide, and default process metrics are on by default', async () => {
  const a = createMetrics();
  const b = createMetrics();
  a.entriesCreated.inc();
  assert.match(await a.registry.metrics(), /process_cpu_user_seconds_total/);
  assert.match(await b.registry.metrics(), /k8s_workload_registrar_entries_created_total 0/);
});

test('a port already in use fails with the address in the message', async (t) => {
  const { server } = await started(t);
  await assert.rejects(
    startObservabilityServer({
      addr: `127.0.0.1:${server.port}`,
      metrics: createMetrics({ defaultMetrics: false }),
      readiness: createReadiness(),
    }),
    /listen on 127\.0\.0\.1:\d+/,
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusCode } from '../../handlers/entries/status-code.js';
import { createMetrics, spireCallRecorder, timeReconcile } from './metrics.js';

test('SPIRE calls are counted by method and code name; non-OK codes also count as errors', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const record = spireCallRecorder(metrics);
  record('ListEntries', StatusCode.OK);
  record('ListEntries', StatusCode.OK);
  record('BatchCreateEntry', StatusCode.UNAVAILABLE);
  record('BatchCreateEntry', 99);
  const text = await metrics.registry.metrics();
  for (const line of [
    'k8s_workload_registrar_spire_calls_total{method="ListEntries",code="OK"} 2',
    'k8s_workload_registrar_spire_calls_total{method="BatchCreateEntry",code="UNAVAILABLE"} 1',
    'k8s_workload_registrar_spire_call_errors_total{method="BatchCreateEntry",code="UNAVAILABLE"} 1',
    'k8s_workload_registrar_spire_call_errors_total{method="BatchCreateEntry",code="99"} 1',
  ]) {
    assert.ok(text.split('\n').includes(line), `missing ${line}`);
  }
  assert.doesNotMatch(text, /spire_call_errors_total\{method="ListEntries"/);
});

test('a reconcile timer observes one duration with its result', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  timeReconcile(metrics, 'pods')('error');
  const text = await metrics.registry.metrics();
  assert.ok(text.includes('k8s_workload_registrar_reconcile_duration_seconds_count{controller="pods",result="error"} 1'));
});

// add_pod_dns_names: names from the pod IP and from the Services whose EndpointSlices reach the pod, kept
// current as the slices change (an update of the same entry).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aRawEndpointSlice } from '../fixtures/endpoint-slices.js';
import { startWorld } from './reconcile-harness.js';

test('DNS names follow the pod IP and the EndpointSlices that name the pod', async (t) => {
  const w = await startWorld(t);
  w.putNode('minikube');
  const pod = { name: 'web-0', namespace: 'default', nodeName: 'minikube', labels: { 'spire-workload': 'web' } };
  w.putPod(pod);
  const reg = await w.startRegistrar({ addPodDnsNames: true, resyncIntervalMs: 600_000 });
  await reg.ready;
  const web = () => w.entries().find((e) => e.spiffeId === 'spiffe://example.org/web');
  await w.waitFor('the pod entry, without names while the pod has no IP', () => web() !== undefined);
  assert.deepEqual(web()?.dnsNames, []);
  const id = web()?.id;

  w.putPod({ ...pod, podIP: '10.0.0.7' });
  await w.waitFor('pod-IP names', () => web()?.dnsNames.length === 2);
  assert.deepEqual(web()?.dnsNames, ['10-0-0-7.default.pod.cluster.local', '10-0-0-7.default.pod']);

  w.kube.store.putObject(aRawEndpointSlice({ service: 'db', namespace: 'default', addresses: [{ pod: 'web-0', ip: '10.0.0.7', hostname: 'web-0' }] }) as never);
  await w.waitFor('service names', () => (web()?.dnsNames.length ?? 0) > 2);
  assert.deepEqual(web()?.dnsNames, [
    '10-0-0-7.default.pod.cluster.local',
    '10-0-0-7.default.pod',
    'db',
    'db.default',
    'db.default.svc',
    'db.default.svc.cluster.local',
    'web-0.db',
    'web-0.db.default',
    'web-0.db.default.svc',
    'web-0.db.default.svc.cluster.local',
  ]);

  w.kube.store.deleteObject('discovery.k8s.io/v1', 'EndpointSlice', 'db-abcde', 'default');
  await w.waitFor('service names removed', () => web()?.dnsNames.length === 2);
  assert.equal(web()?.id, id, 'every change was an update of the same entry');
});

// Parity with mode-crd/controllers/endpoint_controller_test.go (both upstream trees): a Service's
// Endpoints address that refers to a pod by UID alone adds <service>.<namespace>.svc to the pod's
// SpiffeID. We read EndpointSlices instead of Endpoints (decided difference), so the original's Endpoints
// object is given as the equivalent slice. Here: the crd-mode runtime against the fake API server (SpiffeID CRD registered) and the
// in-memory SPIRE server. As in the original's test, the pod reconciler renders no DNS name templates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CrdConfig } from '../../runtime/config/registrar-config.js';
import { startCrdWorld } from '../integration/crd-harness.js';

test('mode-crd endpoint_controller_test.go TestAddDNSName', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('test-node');
  const reg = await w.startRegistrar({ podAnnotation: undefined, podLabel: 'spiffe', dnsNameTemplates: [], addSvcDnsName: true } as Partial<CrdConfig>);
  await reg.ready;
  w.putPod({ name: 'test-endpoint', namespace: 'default', uid: 'test-endpoint-uid', nodeName: 'test-node', labels: { spiffe: 'test-endpoint-label' } });
  const ofPod = () => w.spiffeIds('default').filter((s) => s.metadata.labels?.podUid === 'test-endpoint-uid');
  await w.waitFor('the pod SpiffeID', () => ofPod().length === 1);

  // The endpoint names the pod by UID only: no kind, name or namespace.
  w.kube.store.putObject({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'test-endpoint-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'test-endpoint' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['1.2.3.4'], conditions: { ready: true }, targetRef: { uid: 'test-endpoint-uid' } }],
  } as never);
  const dnsNames = () => (ofPod()[0]?.spec as { dnsNames?: string[] } | undefined)?.dnsNames ?? [];
  await w.waitFor('the service DNS name', () => dnsNames().length > 0);
  assert.equal(ofPod().length, 1);
  assert.deepEqual(dnsNames(), ['test-endpoint.default.svc']);
});

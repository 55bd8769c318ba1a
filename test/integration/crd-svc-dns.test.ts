// crd mode's add_svc_dns_name over the real informers (EndpointSlices): an endpoint names its pod by UID,
// so a Service whose endpoints still point at an older pod of the same name adds nothing to the current pod.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passes, startCrdWorld } from './crd-harness.js';

const slice = (service: string, targetRef: Record<string, string>, { ready = true, name = `${service}-abcde` } = {}) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'spire', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.0.0.9'], conditions: { ready }, targetRef: { namespace: 'spire', ...targetRef } }],
});

test('crd: service DNS names from ready EndpointSlice endpoints, once per Service, matched by UID; without a UID by name; kind is not required', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube', 'node-uid-1');
  w.putPod({ name: 'web-0', namespace: 'spire', uid: 'pod-uid-now', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'web' } });
  w.kube.store.putObject(slice('current', { kind: 'Pod', name: 'web-0', uid: 'pod-uid-now' }) as never);
  w.kube.store.putObject(slice('stale', { kind: 'Pod', name: 'web-0', uid: 'pod-uid-before' }) as never);
  w.kube.store.putObject(slice('byname', { name: 'web-0' }) as never);
  w.kube.store.putObject(slice('current', { kind: 'Pod', name: 'web-0', uid: 'pod-uid-now' }, { name: 'current-second' }) as never);
  w.kube.store.putObject(slice('notready', { kind: 'Pod', name: 'web-0', uid: 'pod-uid-now' }, { ready: false }) as never);
  const reg = await w.startRegistrar();
  await reg.ready;
  const web = () => w.entries().find((e) => e.spiffeId === 'spiffe://example.org/web');
  await w.waitFor('the web entry with service names', () => (web()?.dnsNames.length ?? 0) > 1);
  await passes(w, reg, 2);
  assert.deepEqual(web()?.dnsNames, ['web-0', 'byname.spire.svc', 'current.spire.svc']);
});

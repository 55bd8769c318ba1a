// crd mode's add_svc_dns_name over the real informers: an address names its pod by UID, so a Service
// whose endpoints still point at an older pod of the same name adds nothing to the current pod.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passes, startCrdWorld } from './crd-harness.js';

const endpoints = (service: string, targetRef: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: service, namespace: 'spire' },
  subsets: [{ addresses: [{ ip: '10.0.0.9', targetRef: { namespace: 'spire', ...targetRef } }] }],
});

test('crd: service DNS names match the pod by UID; without a UID by name; kind is not required', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube', 'node-uid-1');
  w.putPod({ name: 'web-0', namespace: 'spire', uid: 'pod-uid-now', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'web' } });
  w.kube.store.putObject(endpoints('current', { kind: 'Pod', name: 'web-0', uid: 'pod-uid-now' }) as never);
  w.kube.store.putObject(endpoints('stale', { kind: 'Pod', name: 'web-0', uid: 'pod-uid-before' }) as never);
  w.kube.store.putObject(endpoints('byname', { name: 'web-0' }) as never);
  const reg = await w.startRegistrar();
  await reg.ready;
  const web = () => w.entries().find((e) => e.spiffeId === 'spiffe://example.org/web');
  await w.waitFor('the web entry with service names', () => (web()?.dnsNames.length ?? 0) > 1);
  await passes(w, reg, 2);
  assert.deepEqual(web()?.dnsNames, ['web-0', 'byname.spire.svc', 'current.spire.svc']);
});

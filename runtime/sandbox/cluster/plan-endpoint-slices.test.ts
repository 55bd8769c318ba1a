import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../adapters/kube-fake/index.js';
import { planEndpointSlices } from './plan-endpoint-slices.js';

const service = (name: string, selector: Record<string, string>): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'spire', uid: `svc-${name}` },
  spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
});
const pod = (name: string, init: { labels?: Record<string, string>; ip?: string; ready?: boolean; terminating?: boolean; hostname?: string; subdomain?: string } = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'spire', uid: `uid-${name}`, labels: init.labels ?? { app: 'web' }, ...(init.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: 'minikube', ...(init.hostname ? { hostname: init.hostname } : {}), ...(init.subdomain ? { subdomain: init.subdomain } : {}) },
  status: { phase: 'Running', ...(init.ip === '' ? {} : { podIP: init.ip ?? '10.244.0.2' }), conditions: [{ type: 'Ready', status: init.ready === false ? 'False' : 'True' }] },
});
type Created = { metadata: { name: string; labels: Record<string, string>; ownerReferences: { uid: string }[] }; endpoints: Record<string, unknown>[]; ports: unknown[] };

test('one slice per Service with a selector: labelled with the Service, owned by it, one endpoint per matching pod with an IP', () => {
  const actions = planEndpointSlices({
    services: [service('web', { app: 'web' }), { ...service('ext', {}), spec: { type: 'ExternalName' } }],
    pods: [pod('web-1', { ip: '10.244.0.3', ready: false }), pod('web-0', { hostname: 'h', subdomain: 'web' }), pod('db-0', { labels: { app: 'db' } }), pod('new', { ip: '' })],
    endpointSlices: [],
  });
  assert.equal(actions.length, 1);
  const created = (actions[0] as { op: 'create'; obj: unknown }).obj as Created;
  assert.equal(created.metadata.labels['kubernetes.io/service-name'], 'web');
  assert.deepEqual(created.metadata.ownerReferences.map((r) => r.uid), ['svc-web']);
  assert.deepEqual(created.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(created.endpoints, [
    {
      addresses: ['10.244.0.2'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'h', nodeName: 'minikube',
      targetRef: { kind: 'Pod', namespace: 'spire', name: 'web-0', uid: 'uid-web-0' },
    },
    {
      addresses: ['10.244.0.3'], conditions: { ready: false, serving: false, terminating: false }, nodeName: 'minikube',
      targetRef: { kind: 'Pod', namespace: 'spire', name: 'web-1', uid: 'uid-web-1' },
    },
  ]);
});

test('a slice that is current is left alone; a changed pod set patches it; a terminating pod is not ready', () => {
  const svc = service('web', { app: 'web' });
  const first = planEndpointSlices({ services: [svc], pods: [pod('web-0')], endpointSlices: [] });
  const slice = { ...(first[0] as { obj: KubeObject }).obj, metadata: { ...(first[0] as { obj: KubeObject }).obj.metadata, uid: 'slice-uid' } };
  assert.deepEqual(planEndpointSlices({ services: [svc], pods: [pod('web-0')], endpointSlices: [slice] }), []);
  const changed = planEndpointSlices({ services: [svc], pods: [pod('web-0', { terminating: true })], endpointSlices: [slice] });
  assert.equal(changed[0]?.op, 'patch');
  const endpoints = (changed[0] as unknown as { patch: { endpoints: { conditions: unknown }[] } }).patch.endpoints;
  assert.deepEqual(endpoints.map((e) => e.conditions), [{ ready: false, serving: false, terminating: true }]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anEndpointSlice } from '../../test/fixtures/endpoint-slices.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { checkCrdTemplates } from '../templates/crd-templates.js';
import { declaredSpiffeIds, type CrdControllersConfig } from './declared-spiffeids.js';
import { crdTestConfig } from '../../test/fixtures/spiffeid.js';

const cfg: CrdControllersConfig = crdTestConfig;
const checked = checkCrdTemplates({ ...cfg, dnsNameTemplates: ['{{.Pod.Name}}'] });
if (!checked.ok) throw new Error(checked.error);
const templates = checked.templates;

const view = {
  nodes: [aNode({ name: 'minikube', uid: 'n1' })],
  pods: [
    aPod({ name: 'web-0', namespace: 'spire', uid: 'p1', annotations: { 'spiffe.io/spiffe-id': 'web' } }),
    aPod({ name: 'plain', namespace: 'spire', uid: 'p2' }),
    aPod({ name: 'dns', namespace: 'kube-system', uid: 'p3', annotations: { 'spiffe.io/spiffe-id': 'dns' } }),
  ],
  endpointSlices: [anEndpointSlice({ service: 'web', namespace: 'spire', addresses: [{ pod: 'web-0' }] })],
};

test('one SpiffeID per node and per annotated pod outside disabled namespaces, with service DNS names', () => {
  const out = declaredSpiffeIds(view, cfg, templates);
  assert.deepEqual(out.declared.map((d) => `${d.namespace}/${d.name}`), ['spire/minikube', 'spire/web-0']);
  assert.deepEqual(out.declared[1]?.spec.dnsNames, ['web-0', 'web.spire.svc']);
  // Pods in disabled namespaces are not looked at, so their SpiffeIDs are never deleted by the plan.
  assert.deepEqual([...out.liveOwnerUids].sort(), ['n1', 'p1', 'p2']);
  assert.deepEqual(out.invalid, []);
});

test('add_svc_dns_name = false: no service DNS names', () => {
  const out = declaredSpiffeIds(view, { ...cfg, addSvcDnsName: false }, templates);
  assert.deepEqual(out.declared[1]?.spec.dnsNames, ['web-0']);
});

test('pod_controller = false: no node or pod SpiffeIDs (as the original), and no owners the plan may clean up after', () => {
  const out = declaredSpiffeIds(view, { ...cfg, podController: false }, templates);
  assert.deepEqual(out.declared, []);
  assert.deepEqual([...out.liveOwnerUids], []);
  assert.deepEqual(out.invalid, []);
});

test('add_svc_dns_name matches addresses by pod UID: a pod recreated under the same name gets no stale service name', () => {
  const byUid = (uid: string) => anEndpointSlice({ service: 'web', namespace: 'spire', addresses: [{ pod: 'web-0', uid }] });
  const recreated = { ...view, pods: [aPod({ name: 'web-0', namespace: 'spire', uid: 'p1-new', annotations: { 'spiffe.io/spiffe-id': 'web' } })] };
  assert.deepEqual(declaredSpiffeIds({ ...recreated, endpointSlices: [byUid('p1')] }, cfg, templates).declared[1]?.spec.dnsNames, ['web-0']);
  assert.deepEqual(declaredSpiffeIds({ ...recreated, endpointSlices: [byUid('p1-new')] }, cfg, templates).declared[1]?.spec.dnsNames, ['web-0', 'web.spire.svc']);
});

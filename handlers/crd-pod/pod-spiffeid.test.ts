import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSelector } from '../entries/selectors.js';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { spiffeIdSelectors } from '../spiffeid/selectors.js';
import { checkCrdTemplates, type CrdTemplateConfig } from '../templates/crd-templates.js';
import { podSpiffeId, type PodOutcome, type PodSpiffeIdConfig } from './pod-spiffeid.js';

const annotationCfg: PodSpiffeIdConfig = {
  trustDomain: 'example.org',
  cluster: 'k8stest',
  podAnnotation: 'spiffe.io/spiffe-id',
  context: {},
  disabledNamespaces: ['kube-system', 'kube-public'],
};

function templatesFor(cfg: Partial<CrdTemplateConfig> & PodSpiffeIdConfig, dns = ['{{.Pod.Name}}']) {
  const r = checkCrdTemplates({ ...cfg, dnsNameTemplates: dns });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.templates;
}

function declared(out: PodOutcome) {
  assert.equal(out.kind, 'declare', out.kind === 'declare' ? '' : out.reason);
  if (out.kind !== 'declare') throw new Error('unreachable');
  return out.spiffeId;
}

const annotated = aPod({
  name: 'example-workload-98b6b79fd-jnv4m',
  namespace: 'spire',
  uid: 'pod-uid-1',
  nodeName: 'minikube',
  annotations: { 'spiffe.io/spiffe-id': 'example-workload' },
});

test('tutorial workload: annotation SPIFFE ID, node parent, node-name/ns/pod-uid selectors, pod name as DNS name', () => {
  const d = declared(podSpiffeId(annotated, annotationCfg, templatesFor(annotationCfg)));
  assert.equal(d.namespace, 'spire');
  assert.equal(d.name, 'example-workload-98b6b79fd-jnv4m');
  assert.deepEqual(d.labels, { podUid: 'pod-uid-1' });
  assert.deepEqual(d.owner, {
    apiVersion: 'v1', kind: 'Pod', name: 'example-workload-98b6b79fd-jnv4m', uid: 'pod-uid-1', controller: true, blockOwnerDeletion: false,
  });
  assert.equal(d.spec.spiffeId, 'spiffe://example.org/example-workload');
  assert.equal(d.spec.parentId, 'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube');
  assert.deepEqual(spiffeIdSelectors(d.spec.selector).map(formatSelector).sort(), [
    'k8s:node-name:minikube',
    'k8s:ns:spire',
    'k8s:pod-uid:pod-uid-1',
  ]);
  assert.deepEqual(d.spec.dnsNames, ['example-workload-98b6b79fd-jnv4m']);
});

test('a pod without the annotation gets no SpiffeID', () => {
  assert.equal(podSpiffeId(aPod({ annotations: {} }), annotationCfg, templatesFor(annotationCfg)).kind, 'skip');
});

test('pods in disabled namespaces and unscheduled pods are skipped', () => {
  const t = templatesFor(annotationCfg);
  assert.equal(podSpiffeId(aPod({ namespace: 'kube-system', annotations: annotated.metadata.annotations ?? {} }), annotationCfg, t).kind, 'skip');
  assert.equal(podSpiffeId(aPod({ nodeName: '', annotations: annotated.metadata.annotations ?? {} }), annotationCfg, t).kind, 'skip');
});

test('pod_label identity', () => {
  const cfg = { ...annotationCfg, podAnnotation: undefined, podLabel: 'spire-workload' };
  const d = declared(podSpiffeId(aPod({ labels: { 'spire-workload': 'web' } }), cfg, templatesFor(cfg)));
  assert.equal(d.spec.spiffeId, 'spiffe://example.org/web');
});

test('default identity template: ns/<namespace>/sa/<service account>', () => {
  const cfg = { ...annotationCfg, podAnnotation: undefined };
  const d = declared(podSpiffeId(aPod({ namespace: 'default', serviceAccount: 'web' }), cfg, templatesFor(cfg)));
  assert.equal(d.spec.spiffeId, 'spiffe://example.org/ns/default/sa/web');
});

test('identity_template with context, gated by identity_template_label ("true" in any case)', () => {
  const cfg = {
    ...annotationCfg,
    podAnnotation: undefined,
    identityTemplate: 'region/{{.Context.Region}}/ns/{{.Pod.Namespace}}/pod/{{ .Pod.Name }}',
    identityTemplateLabel: 'spiffe.io/template',
    context: { Region: 'US-NORTH' },
  };
  const t = templatesFor(cfg);
  const d = declared(podSpiffeId(aPod({ name: 'web-0', namespace: 'default', labels: { 'spiffe.io/template': 'TRUE' } }), cfg, t));
  assert.equal(d.spec.spiffeId, 'spiffe://example.org/region/US-NORTH/ns/default/pod/web-0');
  assert.equal(podSpiffeId(aPod({ labels: { 'spiffe.io/template': 'yes' } }), cfg, t).kind, 'skip');
  assert.equal(podSpiffeId(aPod({ labels: {} }), cfg, t).kind, 'skip');
});

test('dns_name_templates render in order, then service names are appended without duplicates', () => {
  const t = templatesFor(annotationCfg, ['{{.Pod.Name}}', '{{.Pod.Name}}.{{.Pod.Namespace}}.svc']);
  const d = declared(podSpiffeId(annotated, annotationCfg, t, ['example.spire.svc', 'example-workload-98b6b79fd-jnv4m']));
  assert.deepEqual(d.spec.dnsNames, [
    'example-workload-98b6b79fd-jnv4m',
    'example-workload-98b6b79fd-jnv4m.spire.svc',
    'example.spire.svc',
  ]);
});

test('a DNS template that renders an invalid name for this pod is reported (empty hostname)', () => {
  const t = templatesFor(annotationCfg, ['{{.Pod.Hostname}}']);
  const out = podSpiffeId(annotated, annotationCfg, t);
  assert.equal(out.kind, 'invalid');
});

test('federatesWith comes from the spiffe.io/federatesWith annotation', () => {
  const pod = aPod({ annotations: { 'spiffe.io/spiffe-id': 'w', 'spiffe.io/federatesWith': 'a.org, b.org' } });
  assert.deepEqual(declared(podSpiffeId(pod, annotationCfg, templatesFor(annotationCfg))).spec.federatesWith, ['a.org', 'b.org']);
});

test('an annotation value that is no valid SPIFFE ID path is reported', () => {
  const pod = aPod({ annotations: { 'spiffe.io/spiffe-id': 'a//b' } });
  assert.equal(podSpiffeId(pod, annotationCfg, templatesFor(annotationCfg)).kind, 'invalid');
});

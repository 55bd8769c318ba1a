import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEntry } from '../entries/entry.js';
import { selector } from '../entries/selectors.js';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { anEndpointSlice } from '../../test/fixtures/endpoint-slices.js';
import { podEntries, wantsEntry, type PodEntriesConfig } from './pod-entries.js';

const cfg: PodEntriesConfig = {
  trustDomain: 'example.org',
  controllerName: 'spire-k8s-registrar',
  cluster: 'k8stest',
  podLabel: 'spire-workload',
  disabledNamespaces: ['kube-system'],
  addPodDnsNames: false,
  clusterDnsZone: 'cluster.local',
};
const labelled = (init: Parameters<typeof aPod>[0] = {}) => aPod({ labels: { 'spire-workload': 'example-workload' }, ...init });

test('a labelled scheduled pod: parent is its node entry, ns + pod-name selectors, SPIFFE ID from the label', () => {
  const pod = labelled({ name: 'example-workload-6877cd47d5-2fmpq', namespace: 'default', nodeName: 'minikube' });
  assert.deepEqual(podEntries([pod], [], cfg), {
    declared: [
      {
        source: 'pod/default/example-workload-6877cd47d5-2fmpq',
        entry: newEntry({
          spiffeId: 'spiffe://example.org/example-workload',
          parentId: 'spiffe://example.org/spire-k8s-registrar/k8stest/node/minikube',
          selectors: [selector('k8s', 'ns:default'), selector('k8s', 'pod-name:example-workload-6877cd47d5-2fmpq')],
        }),
      },
    ],
    issues: [],
  });
});

test('a pod without the configured label gets nothing and reports nothing', () => {
  assert.deepEqual(podEntries([aPod({ labels: { app: 'x' } })], [], cfg), { declared: [], issues: [] });
});

test('annotation mode reads the annotation; the value may hold slashes', () => {
  const pod = aPod({ annotations: { 'spiffe.io/spiffe-id': 'production/web' } });
  const out = podEntries([pod], [], { ...cfg, podLabel: undefined, podAnnotation: 'spiffe.io/spiffe-id' });
  assert.deepEqual(out.declared.map((d) => d.entry.spiffeId), ['spiffe://example.org/production/web']);
});

test('service account mode: spiffe://<td>/ns/<ns>/sa/<sa>', () => {
  const out = podEntries([aPod({ namespace: 'shop', serviceAccount: 'cart' })], [], { ...cfg, podLabel: undefined });
  assert.deepEqual(out.declared.map((d) => d.entry.spiffeId), ['spiffe://example.org/ns/shop/sa/cart']);
});

test('an invalid label value yields an issue and no entry; other pods still render', () => {
  const out = podEntries([labelled({ name: 'bad', labels: { 'spire-workload': 'a//b' } }), labelled({ name: 'good' })], [], cfg);
  assert.deepEqual(out.declared.map((d) => d.source), ['pod/spire/good']);
  assert.equal(out.issues.length, 1);
  assert.equal(out.issues[0]?.object, 'pod/spire/bad');
});

test('DNS names are filled only with add_pod_dns_names', () => {
  const pod = labelled({ name: 'web-0', namespace: 'default', podIP: '10.0.0.7' });
  const ep = anEndpointSlice({ service: 'web', namespace: 'default', addresses: [{ pod: 'web-0', ip: '10.0.0.7', hostname: 'web-0' }] });
  assert.deepEqual(podEntries([pod], [ep], cfg).declared[0]?.entry.dnsNames, []);
  const names = podEntries([pod], [ep], { ...cfg, addPodDnsNames: true }).declared[0]?.entry.dnsNames;
  assert.equal(names?.[0], '10-0-0-7.default.pod.cluster.local');
  assert.ok(names?.includes('web-0.web.default.svc.cluster.local'));
});

const predicate: [string, Parameters<typeof aPod>[0], boolean][] = [
  ['a scheduled running pod wants an entry', {}, true],
  ['an unscheduled pod waits (no node, no parent)', { nodeName: '' }, false],
  ['a terminating pod loses its entry, as the original did on deletionTimestamp', { deletionTimestamp: '2026-01-01T00:00:01Z' }, false],
  ['a pod in a disabled namespace is skipped', { namespace: 'kube-system' }, false],
  ['a pending pod that is already scheduled gets its entry before it runs', { phase: 'Pending' }, true],
];
for (const [name, init, expected] of predicate) {
  test(`wantsEntry: ${name}`, () => {
    assert.equal(wantsEntry(aPod(init), new Set(['kube-system'])), expected);
  });
}

test('an unscheduled labelled pod declares nothing until it is scheduled', () => {
  assert.deepEqual(podEntries([labelled({ nodeName: '' })], [], cfg).declared, []);
  assert.equal(podEntries([labelled({ nodeName: 'n1' })], [], cfg).declared.length, 1);
});

test('federates_with comes from the pod\'s spiffe.io/federatesWith annotation', () => {
  const pod = labelled({ annotations: { 'spiffe.io/federatesWith': 'a.test,b.test' } });
  assert.deepEqual(podEntries([pod], [], cfg).declared[0]?.entry.federatesWith, ['a.test', 'b.test']);
});

test('a pod whose federatesWith names an invalid trust domain yields an issue, not an entry', () => {
  const out = podEntries([labelled({ name: 'p', namespace: 'default', annotations: { 'spiffe.io/federatesWith': 'Bad_Domain' } })], [], cfg);
  assert.deepEqual(out.declared, []);
  assert.equal(out.issues[0]?.object, 'pod/default/p');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aPod } from '../../test/fixtures/k8s-objects.js';
import { reviewPod, type PodReviewConfig } from '../admission-validate/review-pod.js';
import { anAdmissionRequest } from '../../test/fixtures/admission.js';
import { newEntry, type Entry } from '../entries/entry.js';
import { selector } from '../entries/selectors.js';
import { planWebhookCatchUp, webhookDeclaredEntries } from './webhook-catch-up.js';

const cfg: PodReviewConfig = { trustDomain: 'example.org', cluster: 'k8stest', disabledNamespaces: ['kube-system'], podLabel: 'spire-workload' };
const nodeId = 'spiffe://example.org/k8s-workload-registrar/k8stest/node';
const podEntry = (ns: string, name: string, id: string, spiffeName = name): Entry => ({
  ...newEntry({
    spiffeId: `spiffe://example.org/${spiffeName}`,
    parentId: nodeId,
    selectors: [selector('k8s', `ns:${ns}`), selector('k8s', `pod-name:${name}`)],
  }),
  id,
});
const labelled = (name: string, ns = 'spire', extra: Parameters<typeof aPod>[0] = {}) => aPod({ name, namespace: ns, labels: { 'spire-workload': name }, ...extra });

test('renders each pod exactly as its CREATE admission would: both give the same literal entry', () => {
  const want = [
    newEntry({
      spiffeId: 'spiffe://example.org/web-0',
      parentId: nodeId,
      selectors: [selector('k8s', 'ns:spire'), selector('k8s', 'pod-name:web-0')],
      federatesWith: ['other.org'],
    }),
  ];
  const pod = labelled('web-0', 'spire', { annotations: { 'spiffe.io/federatesWith': 'other.org' } });
  const review = reviewPod(anAdmissionRequest({ pod: { name: 'web-0', labels: { 'spire-workload': 'web-0' }, annotations: { 'spiffe.io/federatesWith': 'other.org' } } }), cfg);
  const { declared } = webhookDeclaredEntries([pod], cfg);
  assert.deepEqual(declared.map((d) => d.entry), want);
  assert.deepEqual(review.ops.map((op) => (op.op === 'create' ? op.entry : undefined)), want);
});

test('creates missed entries, deletes those whose pod is gone or terminating, keeps the rest', () => {
  const pods = [labelled('kept'), labelled('missed'), labelled('leaving', 'spire', { deletionTimestamp: '2026-01-01T00:00:01Z' })];
  const current = [podEntry('spire', 'kept', 'e1'), podEntry('spire', 'gone', 'e2'), podEntry('spire', 'leaving', 'e3')];
  const plan = planWebhookCatchUp(pods, current, cfg);
  assert.deepEqual(plan.create.map((e) => e.spiffeId), ['spiffe://example.org/missed']);
  assert.deepEqual(plan.delete.map((e) => e.id).sort(), ['e2', 'e3']);
  assert.deepEqual(plan.update, []);
  assert.deepEqual(plan.issues, []);
});

test('never touches entries that are not the webhook\'s', () => {
  const operator = { ...newEntry({ spiffeId: 'spiffe://example.org/op', parentId: nodeId, selectors: [selector('unix', 'uid:0')] }), id: 'op' };
  const otherParent = { ...podEntry('spire', 'x', 'other'), parentId: 'spiffe://example.org/spire/agent/k8s_psat/k8stest/n1' };
  const threeSelectors = { ...podEntry('spire', 'y', 'three'), selectors: [...podEntry('spire', 'y', 'three').selectors, selector('k8s', 'sa:default')] };
  const disabledNs = podEntry('kube-system', 'dns', 'sys');
  const plan = planWebhookCatchUp([], [operator, otherParent, threeSelectors, disabledNs], cfg);
  assert.deepEqual(plan.delete, []);
  assert.deepEqual(plan.create, []);
});

test('a pod whose identity changed is updated in place; an invalid one is an issue and keeps nothing', () => {
  const plan = planWebhookCatchUp(
    [labelled('a', 'spire', { labels: { 'spire-workload': 'a2' } }), labelled('bad', 'spire', { labels: { 'spire-workload': 'no spaces allowed' } })],
    [podEntry('spire', 'a', 'e1')],
    cfg,
  );
  assert.deepEqual(plan.update.map((e) => [e.id, e.spiffeId]), [['e1', 'spiffe://example.org/a2']]);
  assert.deepEqual(plan.issues.map((i) => i.object), ['pod/spire/bad']);
});

test('applying the plan and planning again gives an empty plan', () => {
  const pods = [labelled('a'), labelled('b')];
  const first = planWebhookCatchUp(pods, [podEntry('spire', 'c', 'e9')], cfg);
  const after = first.create.map((e, i) => ({ ...e, id: `n${i}` }));
  const second = planWebhookCatchUp(pods, after, cfg);
  assert.deepEqual([second.create, second.update, second.delete], [[], [], []]);
});

// One hostile pod, every mode: the webhook review, reconcile mode's pod entries, crd mode's pod SpiffeIDs
// (annotation and identity template) and a user's SpiffeID all refuse what workload-id-rules.ts refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { anAdmissionReview } from '../../test/fixtures/admission.js';
import { aPod, type PodInit } from '../../test/fixtures/k8s-objects.js';
import { aSpiffeId, testRules } from '../../test/fixtures/spiffeid.js';
import { AdmissionReviewSchema } from '../admission-validate/admission-review.js';
import { reviewPod } from '../admission-validate/review-pod.js';
import { podSpiffeId } from '../crd-pod/pod-spiffeid.js';
import { podEntries } from '../pod-reconcile/pod-entries.js';
import { validateSpiffeId } from '../spiffeid/validate-spiffeid.js';
import { checkCrdTemplates } from '../templates/crd-templates.js';

const base = { trustDomain: 'example.org', cluster: 'k8stest', disabledNamespaces: [] as string[], podAnnotation: 'id' };
const hostileIds = ['spire/server', 'spire/agent/k8s_psat/k8stest/n1', 'k8s-workload-registrar/k8stest/node', 'k8s-workload-registrar/k8stest/node/n1', 'a'.repeat(3000)];

function everyMode(init: PodInit): string[] {
  const pod = aPod({ nodeName: 'n1', ...init });
  const out: string[] = [];
  const review = reviewPod(v.parse(AdmissionReviewSchema, anAdmissionReview({ uid: 'u1', pod: { nodeName: 'n1', ...init } })).request, base);
  if (review.ops.length > 0) out.push('webhook');
  const rendered = podEntries([pod], [], { ...base, controllerName: 'k8s-workload-registrar', addPodDnsNames: false, clusterDnsZone: 'cluster.local' });
  if (rendered.declared.length > 0) out.push('reconcile');
  const templates = checkCrdTemplates({ podAnnotation: 'id', context: {}, dnsNameTemplates: [] });
  assert.ok(templates.ok);
  if (podSpiffeId(pod, { ...base, context: {} }, templates.templates).kind === 'declare') out.push('crd');
  return out;
}

test('a reserved or oversized annotation identity gets no entry in any mode', () => {
  for (const id of hostileIds) assert.deepEqual(everyMode({ name: 'p', annotations: { id } }), [], id.slice(0, 60));
});

test('the own trust domain in federatesWith and a 1.4 MB pod name get no entry in any mode', () => {
  assert.deepEqual(everyMode({ name: 'p', annotations: { id: 'web', 'spiffe.io/federatesWith': 'example.org' } }), []);
  assert.deepEqual(everyMode({ name: 'p'.repeat(1_400_000), annotations: { id: 'web' } }), []);
  // The control: the same pod with a fair identity is declared everywhere, so the cases above can fail.
  assert.deepEqual(everyMode({ name: 'p', annotations: { id: 'web' } }), ['webhook', 'reconcile', 'crd']);
});

test('crd identity_template rendering a reserved path is refused', () => {
  const templates = checkCrdTemplates({ identityTemplate: 'spire/agent/{{.Pod.Name}}', context: {}, dnsNameTemplates: [] });
  assert.ok(templates.ok, templates.ok ? '' : templates.error);
  const out = podSpiffeId(aPod({ name: 'p', nodeName: 'n1' }), { ...base, podAnnotation: undefined, context: {} }, templates.templates);
  assert.match(out.kind === 'invalid' ? out.reason : out.kind, /reserved for SPIRE/);
});

test("a user's SpiffeID: a node path, a 3,000-byte ID, its own trust domain in federatesWith are refused; the registrar's node SpiffeIDs are not", () => {
  // The namespace policy open, so that what refuses each case is the workload ID rules themselves.
  const rules = { ...testRules, policy: { ...testRules.policy, mode: 'open' as const } };
  const sel = { namespace: 'default', podName: 'p' };
  const cases: [Parameters<typeof aSpiffeId>[0], RegExp][] = [
    [{ spiffeId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node', selector: sel }, /registrar's node IDs/],
    [{ spiffeId: `spiffe://example.org/${'a'.repeat(3000)}`, selector: sel }, /the limit is 2048/],
    [{ spiffeId: 'spiffe://example.org/web', selector: sel, federatesWith: ['example.org'] }, /own trust domain/],
  ];
  for (const [init, reason] of cases) assert.match(validateSpiffeId(aSpiffeId(init), rules)?.message ?? 'accepted', reason);
  const node = aSpiffeId({
    namespace: 'spire',
    spiffeId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/n1',
    parentId: 'spiffe://example.org/spire/server',
    selector: { cluster: 'k8stest', agent_node_uid: 'u1' },
  });
  assert.equal(validateSpiffeId(node, rules), undefined);
});

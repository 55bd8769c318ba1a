// crd mode's cache projections: what a projected SpiffeID keeps and drops, and that every plan computed
// from projected objects (declared SpiffeIDs, the declared diff, the entry plan) equals the plan computed
// from the fully parsed objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v from 'valibot';
import { declaredSpiffeIds, type CrdControllersConfig } from '../../handlers/crd-pod/declared-spiffeids.js';
import { newEntry } from '../../handlers/entries/entry.js';
import { EndpointSliceSchema } from '../../handlers/k8s/endpoint-slice.js';
import { NodeSchema } from '../../handlers/k8s/node.js';
import { PodSchema } from '../../handlers/k8s/pod.js';
import { planDeclaredSpiffeIds } from '../../handlers/spiffeid/plan-declared.js';
import { withDeclaredSpecs } from '../../handlers/spiffeid/registrar-declared.js';
import { SPIFFEID_API_VERSION, SPIFFEID_FINALIZER, SPIFFEID_KIND, SpiffeIdSchema, spiffeIdKey } from '../../handlers/spiffeid/spiffeid.js';
import { planSpiffeIdEntries } from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { aRawEndpointSlice } from '../../test/fixtures/endpoint-slices.js';
import { aRawNode, aRawPod } from '../../test/fixtures/k8s-objects.js';
import { aRawSpiffeId, crdTestConfig, testRules } from '../../test/fixtures/spiffeid.js';
import { crdProjections, DECLARED_SPIFFEID_LABELS } from './crd-projections.js';
import { declaredObject } from './spiffeid-writer.js';

const cfg: CrdControllersConfig = crdTestConfig;
const planCfg = { ...testRules, entryIdPrefix: 'k8s-workload-registrar.k8stest.' };
const checked = checkCrdTemplates({ ...cfg, dnsNameTemplates: ['{{.Pod.Name}}'] });
if (!checked.ok) throw new Error(checked.error);
const templates = checked.templates;
const NOW = '2026-01-01T00:00:10Z';

/** What the API server adds that no handler reads. */
const noise = {
  managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': { 'f:selector': {} } } }],
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'x'.repeat(4096) },
  generation: 3,
};

function withNoise(raw: Record<string, unknown>): Record<string, unknown> {
  const m = raw.metadata as Record<string, unknown>;
  return { ...raw, metadata: { ...noise, ...m, annotations: { ...noise.annotations, ...(m.annotations as object) } } };
}

test('a SpiffeID keeps what the plans and the writer read (conditions whole: a status write sends them back); managedFields, annotations and other labels and owners are dropped', () => {
  const raw = withNoise(
    aRawSpiffeId({
      name: 'web-0',
      namespace: 'spire',
      uid: 's-1',
      resourceVersion: '42',
      labels: { podUid: 'p-1', team: 'a', 'app.kubernetes.io/name': 'web' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-1' },
        { apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'p-1', controller: true, blockOwnerDeletion: false },
      ],
      finalizers: ['example.com/keep', SPIFFEID_FINALIZER],
      deletionTimestamp: '2026-01-01T00:00:05Z',
      parentId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube',
      spiffeId: 'spiffe://example.org/ns/spire/sa/web',
      selector: { podUid: 'p-1', namespace: 'spire', nodeName: 'minikube', podLabel: { app: 'web' }, arbitrary: ['a:b'], extra: 'ignored' },
      dnsNames: ['web-0', 'web.spire.svc'],
      federatesWith: ['spiffe://other.org'],
      downstream: true,
      entryId: 'k8s-workload-registrar.k8stest.s-1',
      conditions: [
        { type: 'Ready', status: 'True', reason: 'EntryReady', message: 'the SPIRE entry matches the spec', lastTransitionTime: NOW, observedGeneration: 2 },
        { type: 'TakenOver', status: 'True', reason: 'NameBelongsToWorkload', message: 'm', lastTransitionTime: NOW },
      ],
    }),
  );
  (raw.spec as Record<string, unknown>).unknownField = { big: 'x'.repeat(1024) };
  const projected = crdProjections(cfg).spiffeId(v.parse(SpiffeIdSchema, raw));
  assert.deepStrictEqual(projected, {
    metadata: {
      name: 'web-0',
      namespace: 'spire',
      uid: 's-1',
      resourceVersion: '42',
      labels: { podUid: 'p-1' },
      annotations: {},
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'p-1', controller: true }],
      finalizers: ['example.com/keep', SPIFFEID_FINALIZER],
      creationTimestamp: '2026-01-01T00:00:00Z',
      deletionTimestamp: '2026-01-01T00:00:05Z',
    },
    spec: {
      parentId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube',
      spiffeId: 'spiffe://example.org/ns/spire/sa/web',
      selector: {
        cluster: '',
        agent_node_uid: '',
        podLabel: { app: 'web' },
        podName: '',
        podUid: 'p-1',
        namespace: 'spire',
        serviceAccount: '',
        containerImage: '',
        containerName: '',
        nodeName: 'minikube',
        arbitrary: ['a:b'],
      },
      downstream: true,
      dnsNames: ['web-0', 'web.spire.svc'],
      federatesWith: ['spiffe://other.org'],
    },
    status: {
      entryId: 'k8s-workload-registrar.k8stest.s-1',
      conditions: [
        { type: 'Ready', status: 'True', reason: 'EntryReady', message: 'the SPIRE entry matches the spec', lastTransitionTime: NOW, observedGeneration: 2 },
        { type: 'TakenOver', status: 'True', reason: 'NameBelongsToWorkload', message: 'm', lastTransitionTime: NOW },
      ],
    },
  });
});

test('the SpiffeID labels kept are the ones the node and pod controllers declare', () => {
  const view = { nodes: [v.parse(NodeSchema, aRawNode({ name: 'minikube' }))], pods: [v.parse(PodSchema, aRawPod({ annotations: { 'spiffe.io/spiffe-id': 'web' } }))], endpointSlices: [] };
  const labelKeys = declaredSpiffeIds(view, cfg, templates).declared.flatMap((d) => Object.keys(d.labels));
  assert.deepEqual([...new Set(labelKeys)].sort(), [...DECLARED_SPIFFEID_LABELS].sort());
});

test('a pod keeps its name, namespace, UID, service account, node, hostname and only the configured label and annotations', () => {
  const project = crdProjections({ ...cfg, identityTemplateLabel: 'spiffe-template' });
  const pod = project.pod(
    v.parse(
      PodSchema,
      withNoise(
        aRawPod({
          name: 'web-0',
          namespace: 'spire',
          uid: 'p-1',
          serviceAccount: 'web',
          nodeName: 'node-1',
          hostname: 'web-0',
          subdomain: 'web',
          podIP: '10.0.0.1',
          labels: { 'spiffe-template': 'true', app: 'web' },
          annotations: { 'spiffe.io/spiffe-id': 'web', 'spiffe.io/federatesWith': 'other.org', other: 'x' },
        }),
      ),
    ),
  );
  assert.deepStrictEqual(pod, {
    metadata: {
      name: 'web-0',
      namespace: 'spire',
      uid: 'p-1',
      labels: { 'spiffe-template': 'true' },
      annotations: { 'spiffe.io/spiffe-id': 'web', 'spiffe.io/federatesWith': 'other.org' },
      ownerReferences: [],
      finalizers: [],
    },
    spec: { nodeName: 'node-1', serviceAccountName: 'web', hostname: 'web-0', subdomain: '', containers: [] },
    status: { phase: '', podIP: '' },
  });
});

test('empty lists and maps are shared between projections and frozen, so no caller can change one through another', () => {
  const project = crdProjections(cfg);
  const a = project.pod(v.parse(PodSchema, aRawPod({ name: 'a' })));
  const b = project.pod(v.parse(PodSchema, aRawPod({ name: 'b' })));
  assert.equal(a.metadata.labels, b.metadata.labels);
  assert.equal(a.metadata.finalizers, b.metadata.finalizers);
  assert.throws(() => {
    (a.metadata.labels as Record<string, string>).app = 'x';
  }, TypeError);
  assert.throws(() => (a.metadata.finalizers as string[]).push('x'), TypeError);
  const s = project.spiffeId(v.parse(SpiffeIdSchema, aRawSpiffeId({ finalizers: [SPIFFEID_FINALIZER] })));
  assert.throws(() => (s.metadata.finalizers as string[]).push('x'), TypeError);
});

test('every crd plan is the same from projected objects as from the parsed objects', () => {
  const rawNodes = [aRawNode({ name: 'minikube', uid: 'n-1' }), aRawNode({ name: 'node-2', uid: 'n-2', annotations: { 'spiffe.io/federatesWith': 'other.org' } })].map(withNoise);
  const rawPods = [
    aRawPod({ name: 'web-0', namespace: 'spire', uid: 'p-1', hostname: 'web-0', annotations: { 'spiffe.io/spiffe-id': 'web', 'spiffe.io/federatesWith': 'other.org' } }),
    aRawPod({ name: 'web-1', namespace: 'spire', uid: 'p-2', nodeName: 'node-2', annotations: { 'spiffe.io/spiffe-id': 'web' } }),
    aRawPod({ name: 'bad', namespace: 'spire', uid: 'p-3', annotations: { 'spiffe.io/spiffe-id': 'a//b' } }),
    aRawPod({ name: 'plain', namespace: 'default', uid: 'p-4', labels: { app: 'x' } }),
    aRawPod({ name: 'dns', namespace: 'kube-system', uid: 'p-5', annotations: { 'spiffe.io/spiffe-id': 'dns' } }),
  ].map(withNoise);
  const rawSlices = [aRawEndpointSlice({ service: 'web', namespace: 'spire', addresses: [{ pod: 'web-0', uid: 'p-1' }], notReadyAddresses: [{ pod: 'web-1', uid: 'p-2' }] })];
  const parsed = {
    nodes: rawNodes.map((n) => v.parse(NodeSchema, n)),
    pods: rawPods.map((p) => v.parse(PodSchema, p)),
    endpointSlices: rawSlices.map((e) => v.parse(EndpointSliceSchema, e)),
  };
  const project = crdProjections(cfg);
  const projected = { nodes: parsed.nodes.map(project.node), pods: parsed.pods.map(project.pod), endpointSlices: parsed.endpointSlices.map(project.slice) };
  const declared = declaredSpiffeIds(parsed, cfg, templates);
  assert.deepStrictEqual(declaredSpiffeIds(projected, cfg, templates), declared);
  assert.ok(declared.declared.length >= 3 && declared.invalid.length === 1);

  // The SpiffeIDs as the API server holds them: the registrar's (one with an edited spec, one with a stale
  // label, one finalized and being deleted, one without its finalizer yet), and hand-made ones.
  const named = (name: string) => {
    const d = declared.declared.find((x) => x.name === name);
    if (!d) throw new Error(`${name} is not declared`);
    return d;
  };
  const [node, web0, web1] = [named('minikube'), named('web-0'), named('web-1')];
  const asStored = (o: Record<string, unknown>, uid: string, extra: Record<string, unknown> = {}, status?: Record<string, unknown>) =>
    withNoise({ ...o, metadata: { ...(o.metadata as object), uid, resourceVersion: `rv-${uid}`, creationTimestamp: '2026-01-01T00:00:00Z', ...extra }, ...(status ? { status } : {}) });
  const ready = (entryId: string) => ({ entryId, conditions: [{ type: 'Ready', status: 'True', reason: 'EntryReady', message: 'the SPIRE entry matches the spec', lastTransitionTime: NOW }] });
  const rawSpiffeIds = [
    asStored(declaredObject(node, SPIFFEID_API_VERSION, SPIFFEID_KIND, [SPIFFEID_FINALIZER]), 's-node', {}, ready('k8s-workload-registrar.k8stest.s-node')),
    asStored(declaredObject({ ...web0, spec: { ...web0.spec, spiffeId: 'spiffe://example.org/edited' } }, SPIFFEID_API_VERSION, SPIFFEID_KIND, [SPIFFEID_FINALIZER]), 's-web0'),
    asStored(declaredObject({ ...web1, labels: { podUid: 'stale' } }, SPIFFEID_API_VERSION, SPIFFEID_KIND), 's-web1'),
    asStored(declaredObject({ ...web1, name: 'gone', labels: {} }, SPIFFEID_API_VERSION, SPIFFEID_KIND, [SPIFFEID_FINALIZER]), 's-gone', {
      deletionTimestamp: NOW,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'gone', uid: 'p-gone', controller: true }],
    }),
    aRawSpiffeId({ name: 'mine', namespace: 'default', uid: 's-mine', finalizers: [SPIFFEID_FINALIZER], spiffeId: 'spiffe://example.org/mine', selector: { namespace: 'default', podLabel: { app: 'x' } }, dnsNames: ['mine.example'], federatesWith: ['other.org'] }),
    aRawSpiffeId({ name: 'dup', namespace: 'default', uid: 's-dup', finalizers: [SPIFFEID_FINALIZER], spiffeId: 'spiffe://example.org/mine', selector: { namespace: 'default', podLabel: { app: 'x' } }, creationTimestamp: '2026-01-01T00:00:01Z' }),
    aRawSpiffeId({ name: 'elsewhere', namespace: 'default', uid: 's-else', finalizers: [SPIFFEID_FINALIZER], selector: { namespace: 'spire' } }),
    aRawSpiffeId({ name: 'node-2', namespace: 'spire', uid: 's-taken', labels: { nodeUid: 'n-2' }, selector: { namespace: 'spire' } }),
  ];
  const parsedIds = rawSpiffeIds.map((s) => v.parse(SpiffeIdSchema, s));
  const projectedIds = parsedIds.map(project.spiffeId);
  const entries = [
    newEntry({ id: 'k8s-workload-registrar.k8stest.s-node', spiffeId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube', parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'k8s_psat', value: 'cluster:k8stest' }] }),
    newEntry({ id: 'k8s-workload-registrar.k8stest.s-gone', spiffeId: 'spiffe://example.org/gone', parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'k8s', value: 'ns:spire' }] }),
    newEntry({ id: 'k8s-workload-registrar.k8stest.s-orphan', spiffeId: 'spiffe://example.org/orphan', parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'k8s', value: 'ns:spire' }] }),
  ];

  // The declared plan names the SpiffeIDs it found (the objects themselves are the projections).
  const declaredPlan = (ids: typeof parsedIds) => {
    const p = planDeclaredSpiffeIds(declared.declared, ids, declared.liveOwnerUids);
    const pair = ({ current, declared: d }: { current: (typeof ids)[number]; declared: unknown }) => ({ current: spiffeIdKey(current), d });
    return { create: p.create, update: p.update.map(pair), delete: p.delete.map(spiffeIdKey), blocked: p.blocked.map(pair), takeOver: p.takeOver.map(pair) };
  };
  const dFromParsed = declaredPlan(parsedIds);
  assert.deepStrictEqual(declaredPlan(projectedIds), dFromParsed);
  assert.ok(dFromParsed.update.length > 0 && dFromParsed.takeOver.length > 0 && dFromParsed.create.length === 0);
  const plan = (ids: typeof parsedIds) => {
    const effective = withDeclaredSpecs(ids, declared.declared);
    return planSpiffeIdEntries(effective.spiffeIds, entries, planCfg, NOW, effective.registrarDeclared);
  };
  const fromParsed = plan(parsedIds);
  assert.deepStrictEqual(plan(projectedIds), fromParsed);
  // The case covers every part of the plan.
  assert.ok(fromParsed.createEntries.length > 0 && fromParsed.deleteEntries.length > 0 && fromParsed.addFinalizer.length > 0);
  assert.ok(fromParsed.problems.length > 0 && fromParsed.releaseFinalizer.length > 0 && fromParsed.statuses.length > 0);
});

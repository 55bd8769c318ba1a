// Parity with the webhook-era controller_test.go (spiffe/spire a9bae499): the admission controller of
// webhook mode with a SPIRE entry client. Here: the same Hono admission app and pod review the binary
// serves (runtime/webhook), over the in-memory SPIRE server's entry API, requests sent with app.request.
// Differences are listed in docs/parity.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { entryFromWire, entryToWire } from '../../adapters/spire/entry-convert.js';
import { newEntry } from '../../handlers/entries/entry.js';
import { selector } from '../../handlers/entries/selectors.js';
import { workloadSpiffeId } from '../../handlers/identity/workload-spiffe-id.js';
import { createLogger } from '../../runtime/logger.js';
import { createAdmissionApp } from '../../runtime/webhook/admission-app.js';
import { ensureClusterNodeEntry } from '../../runtime/webhook/ensure-cluster-node-entry.js';
import { createPodAdmission } from '../../runtime/webhook/pod-admission.js';
import { anAdmissionReview, type AdmissionInit } from '../fixtures/admission.js';
import { aPod } from '../fixtures/k8s-objects.js';
import { manualClock } from '../fixtures/manual-clock.js';

const NODE_ID = 'spiffe://domain.test/k8s-workload-registrar/CLUSTER/node';

async function controller(identity: { podLabel?: string; podAnnotation?: string } = {}) {
  const core = await MemorySpireCore.create({ trustDomain: 'domain.test', federatedTrustDomains: ['example.net', 'example.io'] });
  const store = memoryEntryStore(core);
  const log = createLogger({ logLevel: 'error', logFormat: 'json' }, { write: () => {} });
  const config = { trustDomain: 'domain.test', cluster: 'CLUSTER', disabledNamespaces: ['kube-system', 'kube-public'], ...identity };
  const app = createAdmissionApp({ review: createPodAdmission({ store, config, log }), isReady: () => true, notReadyReason: '', logger: log });
  return {
    core,
    store,
    log,
    config,
    /** Posts one AdmissionReview and returns the HTTP status and the parsed response. */
    async review(init: AdmissionInit) {
      const res = await app.request('http://localhost/validate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(anAdmissionReview(init)),
      });
      const text = await res.text();
      return { status: res.status, response: res.status === 200 ? (JSON.parse(text).response as Record<string, unknown>) : text };
    },
    /** The entries, after checking that every field the original left unset is at its zero value. */
    entries: () =>
      core.entries().map(entryFromWire).map((e) => {
        const unset = { x509SvidTtl: e.x509SvidTtl, jwtSvidTtl: e.jwtSvidTtl, admin: e.admin, downstream: e.downstream, expiresAt: e.expiresAt, dnsNames: e.dnsNames, storeSvid: e.storeSvid, hint: e.hint };
        assert.deepEqual(unset, { x509SvidTtl: 0, jwtSvidTtl: 0, admin: false, downstream: false, expiresAt: 0, dnsNames: [], storeSvid: false, hint: '' }, e.spiffeId);
        return { spiffeId: e.spiffeId, parentId: e.parentId, selectors: e.selectors.map((s) => `${s.type}:${s.value}`).sort(), federatesWith: e.federatesWith };
      }),
  };
}

/** The pods of the original's fixtures: PODNAME in NAMESPACE, service account SERVICEACCOUNT. */
const pod = (extra: { labels?: Record<string, string>; annotations?: Record<string, string>; name?: string } = {}) => ({
  name: extra.name ?? 'PODNAME',
  namespace: 'NAMESPACE',
  serviceAccount: 'SERVICEACCOUNT',
  ...(extra.labels ? { labels: extra.labels } : {}),
  ...(extra.annotations ? { annotations: extra.annotations } : {}),
});
const podSelectors = ['k8s:ns:NAMESPACE', 'k8s:pod-name:PODNAME'];
const allowed = (uid: string) => ({ status: 200, response: { uid, allowed: true } });

test('controller_test.go TestControllerInitialization: the cluster node entry at start-up', async () => {
  const c = await controller();
  const done = await ensureClusterNodeEntry({
    store: c.store,
    config: c.config,
    log: c.log,
    clock: manualClock(),
    backoff: { minMs: 100, maxMs: 1_000, jitter: 0 },
    signal: new AbortController().signal,
    attemptTimeoutMs: 5_000,
  });
  assert.equal(done, true);
  assert.deepEqual(c.entries(), [{ spiffeId: NODE_ID, parentId: 'spiffe://domain.test/spire/server', selectors: ['k8s_psat:cluster:CLUSTER'], federatesWith: [] }]);
});

test('controller_test.go TestControllerIgnoresKubeNamespaces', async () => {
  const c = await controller();
  for (const namespace of ['kube-system', 'kube-public']) {
    const r = await c.review({ uid: 'uid', namespace, pod: { ...pod({ labels: { 'spire-workload': 'WORKLOAD' } }), namespace } });
    assert.deepEqual(r, allowed('uid'));
  }
  assert.deepEqual(c.entries(), []);
});

test('controller_test.go TestControllerIgnoresNonPods', async () => {
  const c = await controller();
  const r = await c.review({ uid: 'uid', kind: { group: '', version: 'v1', kind: 'ServiceAccount' }, name: 'SERVICEACCOUNTNAME', namespace: 'NAMESPACE', object: null });
  assert.deepEqual(r, allowed('uid'));
  assert.deepEqual(c.entries(), []);
});

test('controller_test.go TestControllerFailsIfPodUnparsable (decided difference: allowed with a warning, no entry)', async () => {
  const c = await controller();
  // The original answered with an error ("unable to unmarshal v1/Pod object"), so the API server failed
  // the pod's admission. We never block a pod on the registrar's account: the pod is allowed, the
  // response carries a warning (kubectl prints it) and nothing is written to SPIRE.
  const r = await c.review({ uid: 'uid', name: 'POD', namespace: 'NAMESPACE', object: null });
  assert.equal(r.status, 200);
  const response = r.response as { uid: string; allowed: boolean; warnings?: string[] };
  assert.equal(response.allowed, true);
  assert.match(response.warnings?.[0] ?? '', /no SPIRE entry created: the request's pod object is invalid/);
  assert.deepEqual(c.entries(), []);
});

test('controller_test.go TestControllerIgnoresPodOperationsOtherThanCreateAndDelete', async () => {
  const c = await controller();
  assert.deepEqual(await c.review({ uid: 'uid', operation: 'UPDATE', pod: pod() }), allowed('uid'));
  assert.deepEqual(c.entries(), []);
});

test('controller_test.go TestControllerServiceAccountBasedRegistration', async () => {
  const c = await controller();
  assert.deepEqual(await c.review({ uid: 'uid', pod: pod({ labels: { 'spire-workload': 'WORKLOAD' } }) }), allowed('uid'));
  assert.deepEqual(c.entries(), [{ spiffeId: 'spiffe://domain.test/ns/NAMESPACE/sa/SERVICEACCOUNT', parentId: NODE_ID, selectors: podSelectors, federatesWith: [] }]);
});

test('controller_test.go TestControllerCleansUpOnPodDeletion', async () => {
  const c = await controller();
  const seed = (namespace: string, parentId: string, path: string) =>
    entryToWire(newEntry({ spiffeId: `spiffe://domain.test/${path}`, parentId, selectors: [selector('k8s', `ns:${namespace}`), selector('k8s', 'pod-name:PODNAME')] }));
  await c.core.batchCreateEntry({ entries: [
    seed('NAMESPACE', NODE_ID, 'a'),
    // The same pod name in another namespace (rare, but must survive).
    seed('OTHERNAMESPACE', NODE_ID, 'b'),
    // Decided difference: an entry with this pod's selectors that the registrar did not parent (someone
    // else's) survives; the original deleted every entry with exactly these selectors.
    seed('NAMESPACE', 'spiffe://domain.test/someone-else', 'c'),
  ] });
  assert.deepEqual(await c.review({ uid: 'uid', operation: 'DELETE', pod: pod() }), allowed('uid'));
  assert.deepEqual(
    c.entries().map((e) => [e.spiffeId, e.selectors]),
    [
      ['spiffe://domain.test/b', ['k8s:ns:OTHERNAMESPACE', 'k8s:pod-name:PODNAME']],
      ['spiffe://domain.test/c', podSelectors],
    ],
  );
});

test('controller_test.go TestControllerLabelBasedRegistration', async () => {
  const c = await controller({ podLabel: 'spire-workload' });
  assert.deepEqual(await c.review({ uid: 'uid', pod: pod({ labels: { 'spire-workload': 'WORKLOAD' } }) }), allowed('uid'));
  assert.deepEqual(c.entries(), [{ spiffeId: 'spiffe://domain.test/WORKLOAD', parentId: NODE_ID, selectors: podSelectors, federatesWith: [] }]);
});

test('controller_test.go TestControllerLabelBasedRegistrationIgnoresPodsWithoutLabel', async () => {
  const c = await controller({ podLabel: 'spire-workload' });
  assert.deepEqual(await c.review({ uid: 'uid', pod: pod({ name: 'PODNAME-NOLABEL' }) }), allowed('uid'));
  assert.deepEqual(c.entries(), []);
});

const spiffeIdCases: [string, { podLabel?: string; podAnnotation?: string }, Parameters<typeof aPod>[0], string][] = [
  ['using namespace and serviceaccount', {}, { namespace: 'NS', serviceAccount: 'SA' }, 'spiffe://domain.test/ns/NS/sa/SA'],
  ['using label', { podLabel: 'spiffe.io/label' }, { labels: { 'spiffe.io/label': 'LABEL' } }, 'spiffe://domain.test/LABEL'],
  ['using annotation', { podAnnotation: 'spiffe.io/annotation' }, { annotations: { 'spiffe.io/annotation': 'ANNOTATION' } }, 'spiffe://domain.test/ANNOTATION'],
  ['ignore unannotated', { podAnnotation: 'someannotation' }, {}, ''],
  ['ignore unlabelled', { podLabel: 'somelabel' }, {}, ''],
];
for (const [name, identity, podInit, want] of spiffeIdCases) {
  test(`controller_test.go TestPodSpiffeId/${name}`, () => {
    const got = workloadSpiffeId(aPod(podInit), { trustDomain: 'domain.test', ...identity });
    assert.equal(got.kind === 'id' ? got.spiffeId : got.kind === 'none' ? '' : `invalid: ${got.reason}`, want);
  });
}

test('controller_test.go TestControllerAnnotationBasedRegistration', async () => {
  const c = await controller({ podAnnotation: 'spiffe.io/spiffe-id' });
  assert.deepEqual(await c.review({ uid: 'uid', pod: pod({ annotations: { 'spiffe.io/spiffe-id': 'ENV/WORKLOAD' } }) }), allowed('uid'));
  assert.deepEqual(c.entries(), [{ spiffeId: 'spiffe://domain.test/ENV/WORKLOAD', parentId: NODE_ID, selectors: podSelectors, federatesWith: [] }]);
});

test('controller_test.go TestControllerFederationBasedRegistration', async () => {
  const c = await controller();
  assert.deepEqual(await c.review({ uid: 'uid', pod: pod({ annotations: { 'spiffe.io/federatesWith': 'example.net' } }) }), allowed('uid'));
  assert.deepEqual(c.entries(), [
    { spiffeId: 'spiffe://domain.test/ns/NAMESPACE/sa/SERVICEACCOUNT', parentId: NODE_ID, selectors: podSelectors, federatesWith: ['example.net'] },
  ]);
});

test('controller_test.go TestControllerMultiFederationBasedRegistration', async () => {
  const c = await controller();
  assert.deepEqual(await c.review({ uid: 'uid', pod: pod({ annotations: { 'spiffe.io/federatesWith': 'example.net,example.io' } }) }), allowed('uid'));
  assert.deepEqual([...(c.entries()[0]?.federatesWith ?? [])].sort(), ['example.io', 'example.net']);
});

test('controller_test.go TestControllerAnnotationBasedRegistrationIgnoresPodsWithoutLabel', async () => {
  const c = await controller({ podAnnotation: 'spiffe.io/spiffe-id' });
  assert.deepEqual(await c.review({ uid: 'uid', pod: pod({ name: 'PODNAME-NOLABEL' }) }), allowed('uid'));
  assert.deepEqual(c.entries(), []);
});

// Issue 10's attacks, driven as a namespace user ("alice", SpiffeIDs in namespace default) through the
// fake API server: once straight to the API (no webhook: it can be bypassed or switched off) and once
// through the SpiffeID webhook from deploy/crd/webhook. Each test checks the state of the world: the
// operator's entries are never updated or deleted, and every escalation is refused with its rule named.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { dersToPem } from '../../adapters/x509/index.js';
import { newEntry, type Entry } from '../../handlers/entries/entry.js';
import { selector } from '../../handlers/entries/selectors.js';
import { aRawSpiffeId, type SpiffeIdInit } from '../fixtures/spiffeid.js';
import { ids, passes, startCrdWorld, type CrdWorld } from './crd-harness.js';

const ALICE = { username: 'system:serviceaccount:default:alice', groups: ['system:serviceaccounts', 'system:authenticated'] };
const NODE = 'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube';

/** An operator's hand-made entries: an admin identity in kube-system, and one in default. */
const operatorEntries = [
  newEntry({
    id: 'operator-admin',
    spiffeId: 'spiffe://example.org/ns/kube-system/sa/admin',
    parentId: 'spiffe://example.org/spire/server',
    selectors: [selector('k8s', 'ns:kube-system'), selector('k8s', 'sa:admin')],
    admin: true,
    x509SvidTtl: 3600,
  }),
  newEntry({
    id: 'operator-default',
    spiffeId: 'spiffe://example.org/ops',
    parentId: 'spiffe://example.org/spire/server',
    selectors: [selector('k8s', 'ns:default'), selector('k8s', 'pod-name:ops')],
    admin: true,
  }),
];

/** Escalations a SpiffeID in namespace default must not get, with the rule that refuses each. */
const escalations: [string, SpiffeIdInit, RegExp][] = [
  ['another namespace\'s identity', { name: 'esc-ns', spiffeId: 'spiffe://example.org/ns/kube-system/sa/admin' }, /rule namespacePath/],
  ['another node\'s ID', { name: 'esc-node', spiffeId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node/other-node' }, /rule nodeOrAgentId/],
  ['downstream', { name: 'esc-downstream', spiffeId: 'spiffe://example.org/esc-downstream', downstream: true }, /rule downstream/],
  ['a parent that is a workload', { name: 'esc-parent', spiffeId: 'spiffe://example.org/esc-parent', parentId: 'spiffe://example.org/ns/kube-system/sa/admin' }, /rule parentId/],
  ['a wildcard DNS name', { name: 'esc-wild', spiffeId: 'spiffe://example.org/esc-wild', dnsNames: ['*.example.com'] }, /rule dnsName/],
  ['the API server\'s DNS name', { name: 'esc-kube', spiffeId: 'spiffe://example.org/esc-kube', dnsNames: ['kubernetes.default.svc'] }, /rule dnsName/],
  ['another team\'s service name', { name: 'esc-svc', spiffeId: 'spiffe://example.org/esc-svc', dnsNames: ['api.payments.svc'] }, /rule dnsName/],
];

async function world(t: Parameters<typeof startCrdWorld>[0], withWebhook: boolean) {
  let webhookPort = 0;
  const w = await startCrdWorld(t, {
    users: { 'alice-token': ALICE },
    webhooks: { resolveService: (svc) => (svc.name === 'k8s-workload-registrar' ? { host: '127.0.0.1', port: webhookPort } : undefined) },
  });
  w.putNode('minikube', 'node-uid-1');
  await w.spire.entryStore.createEntries(operatorEntries);
  const reg = await w.startRegistrar(withWebhook ? { webhookEnabled: true, webhookCertDir: join(w.dir, 'serving-certs') } : {});
  if (withWebhook) {
    webhookPort = await reg.webhookPort;
    await installWebhook(w);
  }
  await reg.ready;
  await w.waitFor('node entry', () => w.entries().some((e) => e.spiffeId === NODE));
  const alice = w.kube.kubeConfig('alice-token').makeApiClient(CustomObjectsApi);
  return { w, reg, alice };
}

async function installWebhook(w: CrdWorld): Promise<void> {
  const docs = parseAllDocuments(await readFile(new URL('../../deploy/crd/webhook/validating-webhook.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
  const vwc = docs.find((d) => d.kind === 'ValidatingWebhookConfiguration');
  vwc.webhooks[0].clientConfig.caBundle = Buffer.from(dersToPem(await w.spire.svidMinter.x509Authorities(), 'CERTIFICATE')).toString('base64');
  const res = await fetch(`${w.kube.url}/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(vwc),
  });
  assert.equal(res.status, 201, await res.text());
}

const operatorNow = (w: CrdWorld): Entry[] => w.entries().filter((e) => e.id.startsWith('operator-'));
const statusOf = (w: CrdWorld, name: string) =>
  w.spiffeIds('default').find((s) => s.metadata.name === name)?.status as { entryId?: string; conditions?: { type: string; status: string; reason: string; message: string }[] } | undefined;
const writeStatus = (api: CustomObjectsApi, name: string, entryId: string) =>
  api.patchNamespacedCustomObjectStatus({ ...ids, namespace: 'default', name, body: { status: { entryId } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
const denial = (err: unknown) => String((err as { body?: unknown }).body);

test('webhook bypassed: status.entryId naming an operator\'s entry gets it neither rewritten nor deleted', async (t) => {
  const { w, reg, alice } = await world(t, false);
  const before = operatorNow(w);
  await alice.createNamespacedCustomObject({ ...ids, namespace: 'default', body: aRawSpiffeId({ name: 'thief' }) });
  await w.waitFor('thief gets its own entry', () => statusOf(w, 'thief')?.entryId?.startsWith('k8s-workload-registrar.k8stest.') === true);
  // Aim the status at the admin entry: without the webhook nothing stops the write itself.
  await writeStatus(alice, 'thief', 'operator-admin');
  await passes(w, reg, 2);
  assert.deepEqual(operatorNow(w), before, 'operator entries untouched, revision included');
  // Change the spec so the old planner would have moved "its" entry in place, then delete the SpiffeID.
  await writeStatus(alice, 'thief', 'operator-default');
  await alice.patchNamespacedCustomObject(
    { ...ids, namespace: 'default', name: 'thief', body: { spec: { spiffeId: 'spiffe://example.org/ops2' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  await passes(w, reg, 2);
  await alice.deleteNamespacedCustomObject({ ...ids, namespace: 'default', name: 'thief' });
  await w.waitFor('thief and its own entry gone', () => statusOf(w, 'thief') === undefined && !w.entries().some((e) => e.spiffeId.startsWith('spiffe://example.org/ops2')));
  assert.deepEqual(operatorNow(w), before);
  assert.equal(w.entries().filter((e) => e.admin).length, 2, 'no entry of alice\'s is admin');
});

test('webhook bypassed: a SpiffeID prepared while the registrar is down does not take over an entry on start-up', async (t) => {
  const { w, reg, alice } = await world(t, false);
  await reg.stop();
  const before = operatorNow(w);
  await alice.createNamespacedCustomObject({ ...ids, namespace: 'default', body: aRawSpiffeId({ name: 'sleeper', spiffeId: 'spiffe://example.org/sleeper' }) });
  await writeStatus(alice, 'sleeper', 'operator-admin');
  const next = await w.startRegistrar();
  await next.ready;
  await w.waitFor('sleeper gets an entry of its own', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/sleeper'));
  const own = w.entries().find((e) => e.spiffeId === 'spiffe://example.org/sleeper');
  assert.equal(own?.admin, false);
  assert.equal(own?.x509SvidTtl, 0);
  assert.deepEqual(operatorNow(w), before);
  await alice.deleteNamespacedCustomObject({ ...ids, namespace: 'default', name: 'sleeper' });
  await w.waitFor('sleeper gone', () => statusOf(w, 'sleeper') === undefined);
  await passes(w, next, 1);
  assert.deepEqual(operatorNow(w), before);
});

test('webhook bypassed: each escalation is refused by the controller, Ready=False naming its rule, and gets no entry', async (t) => {
  const { w, alice } = await world(t, false);
  const before = operatorNow(w);
  for (const [, init] of escalations) await alice.createNamespacedCustomObject({ ...ids, namespace: 'default', body: aRawSpiffeId(init) });
  for (const [what, init, rule] of escalations) {
    const name = init.name as string;
    await w.waitFor(`${what} refused`, () => statusOf(w, name)?.conditions?.some((c) => c.type === 'Ready') === true);
    const ready = statusOf(w, name)?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason], ['False', 'PolicyViolation'], what);
    assert.match(ready?.message ?? '', rule, what);
  }
  const mine = w.entries().filter((e) => !e.id.startsWith('operator-') && e.spiffeId !== NODE);
  assert.deepEqual(mine, [], 'no escalation got an entry');
  assert.deepEqual(operatorNow(w), before);
});

test('webhook bypassed: a hand-made SpiffeID with a pod\'s name cannot block the pod\'s identity', async (t) => {
  const { w, reg, alice } = await world(t, false);
  await alice.createNamespacedCustomObject({ ...ids, namespace: 'default', body: aRawSpiffeId({ name: 'web-0', spiffeId: 'spiffe://example.org/squat' }) });
  await w.waitFor('squatter entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/squat'));
  w.putPod({ name: 'web-0', namespace: 'default', uid: 'pod-uid-web', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'web' } });
  await w.waitFor('the pod\'s entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/web' && e.selectors.some((s) => s.value === 'pod-uid:pod-uid-web')));
  await passes(w, reg, 1);
  assert.equal(w.entries().some((e) => e.spiffeId === 'spiffe://example.org/squat'), false, 'the squatter\'s spec is gone with its entry');
  const taken = statusOf(w, 'web-0')?.conditions?.find((c) => c.type === 'TakenOver');
  assert.equal(taken?.status, 'True');
  assert.match(taken?.message ?? '', /made by hand with the name of Pod web-0/);
});

test('webhook bypassed: a hand-made SpiffeID taken over in the pass that first sees it keeps the TakenOver condition (the real writer, the fake API server)', async (t) => {
  const { w, reg, alice } = await world(t, false);
  // While the registrar is down: a squatter the policy refuses (no status yet), then the pod of that name.
  // The first pass takes it over and, in the same pass, plans statuses from the informer's copy, which
  // still has the squatter's spec and no TakenOver condition; a status written from it must not drop
  // the condition the take-over wrote.
  await reg.stop();
  await alice.createNamespacedCustomObject({ ...ids, namespace: 'default', body: aRawSpiffeId({ name: 'web-0', spiffeId: 'spiffe://example.org/ns/kube-system/sa/admin' }) });
  w.putPod({ name: 'web-0', namespace: 'default', uid: 'pod-uid-web', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'web' } });
  const next = await w.startRegistrar();
  await next.ready;
  await w.waitFor('the pod\'s entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/web'));
  await w.waitFor('Ready', () => statusOf(w, 'web-0')?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
  await passes(w, next, 1);
  assert.ok(next.logs.some((l) => l.msg === 'Took over a hand-made SpiffeID with the name of a pod or node'));
  const conditions = statusOf(w, 'web-0')?.conditions ?? [];
  assert.deepEqual(conditions.map((c) => [c.type, c.status]).sort(), [['Ready', 'True'], ['TakenOver', 'True']]);
  assert.deepEqual(w.entries().filter((e) => e.spiffeId === 'spiffe://example.org/ns/kube-system/sa/admin').map((e) => e.id), ['operator-admin'], 'the squatter\'s spec never got an entry');
});

test('through the webhook: escalations and status writes are refused with their rule; the tutorial SpiffeID works', async (t) => {
  const { w, alice } = await world(t, true);
  const before = operatorNow(w);
  for (const [what, init, rule] of escalations) {
    await assert.rejects(alice.createNamespacedCustomObject({ ...ids, namespace: 'default', body: aRawSpiffeId(init) }), (err: unknown) => {
      assert.match(denial(err), /denied the request: refused by spiffeid_policy \\"namespace\\"/, what);
      assert.match(denial(err), rule, what);
      return true;
    });
  }
  assert.deepEqual(w.spiffeIds('default'), []);

  // The duplicate denial no longer hands out the other entry's ID.
  await assert.rejects(
    alice.createNamespacedCustomObject({ ...ids, namespace: 'default', body: aRawSpiffeId({ name: 'dup', spiffeId: 'spiffe://example.org/ops', selector: { namespace: 'default', podName: 'ops' } }) }),
    (err: unknown) => {
      assert.match(denial(err), /Duplicate detected/);
      assert.doesNotMatch(denial(err), /operator-default/);
      return true;
    },
  );

  // The tutorial's hand-made SpiffeID, unchanged, is admitted and gets its entry (the registrar's own
  // finalizer and status writes pass the webhook).
  const tutorial = (await readFile(new URL('../../deploy/crd/test-spiffeid.yaml', import.meta.url), 'utf8'));
  const body = parseAllDocuments(tutorial).map((d) => d.toJS()).find((d) => d?.kind === 'SpiffeID');
  await alice.createNamespacedCustomObject({ ...ids, namespace: 'default', body });
  await w.waitFor('tutorial SpiffeID ready', () => statusOf(w, 'my-test-spiffeid')?.conditions?.some((c) => c.reason === 'EntryReady') === true);
  assert.ok(w.entries().some((e) => e.spiffeId === 'spiffe://example.org/test'));

  // Alice may not write status, even of her own SpiffeID.
  await assert.rejects(writeStatus(alice, 'my-test-spiffeid', 'operator-admin'), (err: unknown) => {
    assert.match(denial(err), /rule statusWriter: only the registrar's service account may write SpiffeID status, not \\"system:serviceaccount:default:alice\\"/);
    return true;
  });
  assert.match(statusOf(w, 'my-test-spiffeid')?.entryId ?? '', /^k8s-workload-registrar\.k8stest\./);
  await alice.deleteNamespacedCustomObject({ ...ids, namespace: 'default', name: 'my-test-spiffeid' });
  await w.waitFor('tutorial SpiffeID and entry gone', () => statusOf(w, 'my-test-spiffeid') === undefined && !w.entries().some((e) => e.spiffeId === 'spiffe://example.org/test'));
  assert.deepEqual(operatorNow(w), before);
});

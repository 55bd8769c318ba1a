// CustomResourceDefinitions on the fake API server: registration, discovery, custom resource CRUD,
// status subresource and watch, through client-node's ApiextensionsV1Api and CustomObjectsApi.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ApiException, ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, type KubernetesObject, PatchStrategy, Watch, setHeaderOptions,
} from '@kubernetes/client-node';
import { type FakeKubeApi, startFakeKubeApi } from '../../adapters/kube-fake/index.js';
import { waitUntil } from '../fixtures/wait-until.js';

const GROUP = 'spiffeid.spiffe.io';
const VERSION = 'v1beta1';
const PLURAL = 'spiffeids';

let api: FakeKubeApi;
let custom: CustomObjectsApi;
before(async () => {
  api = await startFakeKubeApi();
  custom = api.kubeConfig().makeApiClient(CustomObjectsApi);
  await api.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'spire' } } });
  await api.kubeConfig().makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
    body: {
      metadata: { name: `${PLURAL}.${GROUP}` },
      spec: {
        group: GROUP, scope: 'Namespaced',
        names: { kind: 'SpiffeID', listKind: 'SpiffeIDList', plural: PLURAL, singular: 'spiffeid', shortNames: ['sid'] },
        versions: [{ name: VERSION, served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
      },
    },
  });
});
after(() => api.close());

type SpiffeId = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const spiffeId = (name: string, spiffeIdValue = `spiffe://example.org/${name}`): SpiffeId => ({
  apiVersion: `${GROUP}/${VERSION}`, kind: 'SpiffeID',
  metadata: { name, namespace: 'spire', labels: { podUid: 'u1' } },
  spec: { spiffeId: spiffeIdValue, parentId: 'spiffe://example.org/spire/server', selector: { podUid: 'u1' } },
  status: { entryId: 'should-be-dropped' },
});

test('the CRD is established and its group appears in discovery', async () => {
  const crd = await api.kubeConfig().makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: `${PLURAL}.${GROUP}` });
  assert.equal(crd.status?.conditions?.find((c) => c.type === 'Established')?.status, 'True');
  const groups = (await (await fetch(`${api.url}/apis`)).json()) as { groups: Array<{ name: string; preferredVersion: { version: string } }> };
  assert.equal(groups.groups.find((g) => g.name === GROUP)?.preferredVersion.version, VERSION);
  const resources = (await (await fetch(`${api.url}/apis/${GROUP}/${VERSION}`)).json()) as { resources: Array<{ name: string; kind: string; namespaced: boolean; shortNames?: string[] }> };
  assert.deepEqual(resources.resources.map((r) => [r.name, r.kind, r.namespaced]), [[PLURAL, 'SpiffeID', true], [`${PLURAL}/status`, 'SpiffeID', true]]);
  assert.deepEqual(resources.resources[0]?.shortNames, ['sid']);
});

test('custom resources: create drops status, update bumps generation and keeps status, status writes only status', async () => {
  const created = (await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, body: spiffeId('a') })) as SpiffeId;
  assert.equal(created.status, undefined);
  assert.equal(created.metadata?.generation, 1);
  const withStatus = (await custom.patchNamespacedCustomObjectStatus(
    { group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, name: 'a', body: { status: { entryId: 'e-1' }, spec: { spiffeId: 'ignored' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as SpiffeId;
  assert.deepEqual(withStatus.status, { entryId: 'e-1' });
  assert.equal(withStatus.spec?.['spiffeId'], 'spiffe://example.org/a');
  assert.equal(withStatus.metadata?.generation, 1);
  const updated = (await custom.replaceNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, name: 'a',
    body: { ...withStatus, spec: { ...withStatus.spec, spiffeId: 'spiffe://example.org/a2' }, status: { entryId: 'overwritten?' } },
  })) as SpiffeId;
  assert.equal(updated.metadata?.generation, 2);
  assert.deepEqual(updated.status, { entryId: 'e-1' });
  const listed = (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, labelSelector: 'podUid=u1' })) as { items: SpiffeId[] };
  assert.deepEqual(listed.items.map((i) => i.metadata?.name), ['a']);
});

test('custom resources: strategic merge patch is refused (415) as upstream; finalizers hold deletion', async () => {
  await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, body: { ...spiffeId('b'), metadata: { name: 'b', finalizers: ['finalizers.spiffeid.spiffe.io'] } } });
  await assert.rejects(
    custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, name: 'b', body: { spec: {} } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)),
    (err: unknown) => err instanceof ApiException && err.code === 415,
  );
  await custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, name: 'b' });
  const held = (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, name: 'b' })) as SpiffeId;
  assert.ok(held.metadata?.deletionTimestamp);
  await custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, name: 'b', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
  await assert.rejects(
    custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, name: 'b' }),
    (err: unknown) => err instanceof ApiException && err.code === 404,
  );
});

test('custom resources can be watched', async () => {
  const events: string[] = [];
  const req = await new Watch(api.kubeConfig()).watch(`/apis/${GROUP}/${VERSION}/namespaces/spire/${PLURAL}`, {}, (type, obj: KubernetesObject) => {
    events.push(`${type} ${obj.metadata?.name}`);
  }, () => undefined);
  try {
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, body: spiffeId('w') });
    await custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'spire', plural: PLURAL, name: 'w' });
    await waitUntil('the DELETED event', () => events.includes('DELETED w'));
    assert.ok(events.includes('ADDED w') && events.includes('DELETED w'), events.join(', '));
  } finally {
    req.abort();
  }
});

test('deleting the CRD removes its resource from discovery and routing', async () => {
  const ext = api.kubeConfig().makeApiClient(ApiextensionsV1Api);
  await ext.createCustomResourceDefinition({
    body: {
      metadata: { name: 'gadgets.example.com' },
      spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'Gadget', plural: 'gadgets' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
    },
  });
  await custom.createClusterCustomObject({ group: 'example.com', version: 'v1', plural: 'gadgets', body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } } });
  await ext.deleteCustomResourceDefinition({ name: 'gadgets.example.com' });
  assert.equal((await fetch(`${api.url}/apis/example.com/v1`)).status, 404);
  const res = await fetch(`${api.url}/apis/example.com/v1/gadgets/g`);
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as { kind: string }).kind, 'Status');
});

test('a CRD whose name does not match its plural and group is 422 Invalid', async () => {
  await assert.rejects(
    api.kubeConfig().makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
      body: { metadata: { name: 'wrong' }, spec: { group: 'x.io', scope: 'Namespaced', names: { kind: 'X', plural: 'xs' }, versions: [{ name: 'v1', served: true, storage: true }] } },
    }),
    (err: unknown) => err instanceof ApiException && err.code === 422,
  );
});

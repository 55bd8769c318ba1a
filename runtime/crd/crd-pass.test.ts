// The crd pass against the in-memory SPIRE core and the fake SpiffeID writer (no sockets): passes are run
// until nothing changes, then the final SpiffeIDs and entries are checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import * as v from 'valibot';
import { MemorySpireCore } from '../../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../../adapters/spire-memory/entry-store.memory.js';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import { EndpointsSchema, type Endpoints } from '../../handlers/k8s/endpoints.js';
import { SpiffeIdSchema } from '../../handlers/spiffeid/spiffeid.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { systemClock } from '../clock.js';
import { createCrdPass } from './crd-pass.js';
import { fakeSpiffeIdWriter } from './spiffeid-writer.fake.js';

const config = {
  trustDomain: 'example.org',
  cluster: 'k8stest',
  registrarNamespace: 'spire',
  podAnnotation: 'spiffe.io/spiffe-id',
  context: {},
  disabledNamespaces: ['kube-system'],
  podController: true,
  addSvcDnsName: true,
};

async function world() {
  const core = await MemorySpireCore.create({});
  const writer = fakeSpiffeIdWriter();
  const state = {
    nodes: [aNode({ name: 'minikube' })],
    pods: [aPod({ name: 'web-0', namespace: 'spire', uid: 'u-web', annotations: { 'spiffe.io/spiffe-id': 'web' } })],
    endpoints: [] as Endpoints[],
  };
  const templates = checkCrdTemplates({ ...config, dnsNameTemplates: ['{{.Pod.Name}}'] });
  assert.ok(templates.ok);
  const pass = createCrdPass({
    store: memoryEntryStore(core),
    writer,
    snapshot: () => ({ ...state, spiffeIds: writer.objects().map((o) => v.parse(SpiffeIdSchema, o)) }),
    config,
    templates: templates.templates,
    log: pino({ level: 'silent' }),
    clock: systemClock,
  });
  const settle = async () => {
    for (let i = 0; i < 6; i++) await pass(new AbortController().signal);
  };
  const entries = () => core.entries().map(entryFromWire);
  return { core, writer, state, settle, entries };
}

test('declares node and pod SpiffeIDs and one entry each, and a further pass changes nothing', async () => {
  const w = await world();
  await w.settle();
  assert.deepEqual(w.entries().map((e) => e.spiffeId).sort(), [
    'spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube',
    'spiffe://example.org/web',
  ]);
  const before = JSON.stringify(w.writer.objects());
  const calls = w.core.calls();
  await w.settle();
  assert.equal(JSON.stringify(w.writer.objects()), before);
  assert.equal(w.core.calls().BatchCreateEntry, calls.BatchCreateEntry);
  assert.equal(w.core.calls().BatchUpdateEntry, calls.BatchUpdateEntry);
});

test('add_svc_dns_name: a Service in front of the pod adds <svc>.<ns>.svc, removed with its Endpoints', async () => {
  const w = await world();
  await w.settle();
  w.state.endpoints = [
    v.parse(EndpointsSchema, {
      metadata: { name: 'web', namespace: 'spire' },
      subsets: [{ addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', name: 'web-0', namespace: 'spire' } }] }],
    }),
  ];
  await w.settle();
  const web = () => w.entries().find((e) => e.spiffeId === 'spiffe://example.org/web');
  assert.deepEqual(web()?.dnsNames, ['web-0', 'web.spire.svc']);
  const id = web()?.id;
  w.state.endpoints = [];
  await w.settle();
  assert.deepEqual(web()?.dnsNames, ['web-0']);
  assert.equal(web()?.id, id, 'updated in place');
});

test('removing the annotation of a live pod deletes its SpiffeID and entry', async () => {
  const w = await world();
  await w.settle();
  w.state.pods = [aPod({ name: 'web-0', namespace: 'spire', uid: 'u-web' })];
  await w.settle();
  assert.deepEqual(w.entries().map((e) => e.spiffeId), ['spiffe://example.org/k8s-workload-registrar/k8stest/node/minikube']);
  assert.deepEqual(w.writer.objects().map((o) => (o.metadata as { name: string }).name), ['minikube']);
});

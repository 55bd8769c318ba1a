// `k8s-workload-registrar plan` through the real binary, against the fake API server and the in-memory
// SPIRE server on a Unix socket, in each mode: the changes and their reasons, the exit code (2: changes,
// 0: none), and that it wrote nothing: zero write RPCs on SPIRE and zero non-GET requests to the API server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFakeKubeApi, type FakeKubeApi } from '../../adapters/kube-fake/index.js';
import { entryToWire } from '../../adapters/spire/entry-convert.js';
import { startMemorySpireServer, type MemorySpireServer } from '../../adapters/spire-memory/start.js';
import { newEntry, type Entry } from '../../handlers/entries/entry.js';
import { loadManifests } from '../../runtime/sandbox/manifests.js';
import { aRawNode, aRawPod } from '../fixtures/k8s-objects.js';
import { aNodeEntry, aPodEntry } from '../fixtures/reconcile-entries.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/k8s-workload-registrar.js');
const COMMON = ['trust_domain = "example.org"', 'cluster = "k8stest"'];

type World = { api: FakeKubeApi; spire: MemorySpireServer; plan(): Promise<{ code: number; stdout: string; stderr: string }> };

async function world(t: TestContext, config: string[], objects: Record<string, unknown>[], entries: Entry[]): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'cli-plan-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  for (const o of objects) api.store.putObject(o as never);
  const spire = await startMemorySpireServer({ socketPath: join(dir, 'api.sock') });
  t.after(() => spire.close());
  if (entries.length > 0) await spire.core.batchCreateEntry({ entries: entries.map(entryToWire) });
  spire.core.resetCalls();
  await api.writeKubeconfig(join(dir, 'kubeconfig'));
  await writeFile(join(dir, 'registrar.conf'), [...COMMON, `server_socket_path = "${join(dir, 'api.sock')}"`, ...config, ''].join('\n'));
  api.resetCounts();
  const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), MY_POD_NAMESPACE: 'spire' };
  const plan = () =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'plan', '-config', join(dir, 'registrar.conf')], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      });
    });
  return { api, spire, plan };
}

/** Nothing written anywhere: the point of `plan`. */
function assertReadOnly(w: World) {
  const calls = w.spire.core.calls();
  assert.deepEqual([calls.BatchCreateEntry, calls.BatchUpdateEntry, calls.BatchDeleteEntry], [0, 0, 0], 'no SPIRE writes');
  assert.ok(calls.ListEntries >= 1);
  assert.equal(w.api.writeCount(), 0, 'no API server writes');
  for (const key of Object.keys(w.api.requestCounts())) assert.match(key, /^(list|get|discovery) /, `only GETs: ${key}`);
}

/** `Entries to create: N` etc. and the Reason lines of one group. */
function group(out: string, title: string): { count: number; reasons: string[] } {
  const start = out.indexOf(`${title}: `);
  assert.ok(start >= 0, `group "${title}" in:\n${out}`);
  const rest = out.slice(start);
  const end = rest.search(/\n(Entry|Entries) [a-z ]+: \d+\n|\nObjects without|\nSpiffeIDs: \d|\nEntries: \d/);
  const block = end < 0 ? rest : rest.slice(0, end);
  return { count: Number(/: (\d+)/.exec(block)?.[1]), reasons: [...block.matchAll(/^Reason\s+: (.*)$/gm)].map((m) => m[1] ?? '').sort() };
}

const NODE_ROOT = 'spiffe://example.org/spire-k8s-registrar/k8stest/node';

test('reconcile: creates, updates, deletes with reasons, leaves foreign entries alone, exits 2, writes nothing', async (t) => {
  const labelled = (name: string, value: string) => aRawPod({ name, namespace: 'default', labels: { 'spire-workload': value } });
  const w = await world(t, ['mode = "reconcile"', 'pod_label = "spire-workload"'], [
    aRawNode({ name: 'minikube' }),
    labelled('web-0', 'web'),
    labelled('api-0', 'api-v2'),
    labelled('bad-0', 'spire'),
  ], [
    aNodeEntry('minikube'),
    { ...aPodEntry('default', 'api-0', 'api-v1'), id: '' },
    { ...aPodEntry('default', 'gone-0', 'gone'), id: '' },
    newEntry({ spiffeId: 'spiffe://example.org/operator-made', parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'unix', value: 'uid:0' }] }),
  ]);
  const r = await w.plan();
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stdout, /^Plan for reconcile mode \(trust domain example\.org, cluster k8stest\); nothing has been changed\.$/m);
  assert.deepEqual(group(r.stdout, 'Entry to create'), { count: 1, reasons: ['no entry for pod default/web-0'] });
  assert.deepEqual(group(r.stdout, 'Entry to update'), { count: 1, reasons: ['SPIFFE ID changed: spiffe://example.org/api-v1 -> spiffe://example.org/api-v2'] });
  assert.deepEqual(group(r.stdout, 'Entry to delete'), { count: 1, reasons: ['no pod'] });
  assert.deepEqual(group(r.stdout, 'Entry left alone'), { count: 1, reasons: ['not owned: left alone'] });
  assert.match(r.stdout, /^SPIFFE ID\s+: spiffe:\/\/example\.org\/gone$/m, "entry show's layout");
  assert.match(r.stdout, new RegExp(`^Parent ID\\s+: ${NODE_ROOT}/minikube$`, 'm'));
  assert.match(r.stdout, /pod\/default\/bad-0: label "spire-workload" value "spire" may not be a workload ID/);
  assert.match(r.stdout, /^Entries: 1 to create, 1 to update, 1 to delete, 1 left alone\.$/m);
  assertReadOnly(w);
});

test('reconcile: nothing to do exits 0', async (t) => {
  const w = await world(t, ['mode = "reconcile"', 'pod_label = "spire-workload"'], [
    aRawNode({ name: 'minikube' }),
    aRawPod({ name: 'web-0', namespace: 'default', labels: { 'spire-workload': 'web' } }),
  ], [aNodeEntry('minikube'), { ...aPodEntry('default', 'web-0', 'web'), id: '' }]);
  const r = await w.plan();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Entries: 0 to create, 0 to update, 0 to delete, 0 left alone\.$/m);
  assertReadOnly(w);
});

test('crd: the SpiffeIDs the controllers would create and the entries that follow; exits 2, writes nothing', async (t) => {
  const crd = await loadManifests(join(ROOT, 'deploy/crd/base/spiffeid.spiffe.io_spiffeids.yaml'));
  const w = await world(t, ['mode = "crd"', 'pod_annotation = "spiffe.io/spiffe-id"'], [
    ...crd,
    aRawNode({ name: 'minikube', uid: 'node-1' }),
    aRawPod({ name: 'web-0', namespace: 'spire', uid: 'pod-1', annotations: { 'spiffe.io/spiffe-id': 'web' } }),
  ], [newEntry({ spiffeId: 'spiffe://example.org/operator-made', parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'unix', value: 'uid:0' }] })]);
  const r = await w.plan();
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stdout, /^SpiffeIDs to create: 2\n {2}spire\/minikube: declared by Node minikube\n {2}spire\/web-0: declared by Pod web-0$/m);
  assert.deepEqual(group(r.stdout, 'Entries to create'), { count: 2, reasons: ['SpiffeID spire/minikube has no entry', 'SpiffeID spire/web-0 has no entry'] });
  assert.deepEqual(group(r.stdout, 'Entry left alone'), { count: 1, reasons: ['not owned: left alone'] });
  assertReadOnly(w);
});

test('webhook: catch-up creates the entries of existing pods and deletes those of pods that are gone; exits 2, writes nothing', async (t) => {
  const node = 'spiffe://example.org/k8s-workload-registrar/k8stest/node';
  const w = await world(t, ['mode = "webhook"'], [aRawPod({ name: 'web-0', namespace: 'default', serviceAccount: 'web' })], [
    newEntry({ spiffeId: node, parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'k8s_psat', value: 'cluster:k8stest' }] }),
    newEntry({ spiffeId: 'spiffe://example.org/ns/default/sa/old', parentId: node, selectors: [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'pod-name:old-0' }] }),
  ]);
  const r = await w.plan();
  assert.equal(r.code, 2, r.stderr);
  assert.deepEqual(group(r.stdout, 'Entry to create'), { count: 1, reasons: ['no entry for pod default/web-0'] });
  assert.match(r.stdout, /^SPIFFE ID\s+: spiffe:\/\/example\.org\/ns\/default\/sa\/web$/m);
  assert.deepEqual(group(r.stdout, 'Entry to delete'), { count: 1, reasons: ['no pod'] });
  assertReadOnly(w);
});

test('a configuration error exits 1', async (t) => {
  const w = await world(t, ['mode = "reconcile"', 'pod_label = "a"', 'pod_annotation = "b"'], [], []);
  const r = await w.plan();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: /m);
});

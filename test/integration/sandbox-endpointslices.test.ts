// The sandbox's simulated cluster keeps an EndpointSlice per Service (kubernetes.io/service-name label,
// the pods' UIDs in targetRef), so crd mode's add_svc_dns_name works there as in a cluster: a Service in
// front of the tutorial workload adds <service>.<namespace>.svc to its entry.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { entryFromWire } from '../../adapters/spire/entry-convert.js';
import { kubeRest } from '../../runtime/sandbox/cluster/kube-rest.js';
import { loadManifests } from '../../runtime/sandbox/manifests.js';
import { startSandbox } from '../../runtime/sandbox/sandbox.js';
import { waitUntil } from '../fixtures/wait-until.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('crd sandbox: a Service gets an EndpointSlice and its workload the service DNS name', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-slices-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sandbox = await startSandbox({ mode: 'crd', dir, seed: 11 });
  t.after(() => sandbox.close());
  const api = sandbox.api!;
  const rest = kubeRest(api.url);
  for (const obj of await loadManifests(join(ROOT, 'deploy/crd/base/workload.yaml'))) {
    await rest.request('POST', '/apis/apps/v1/namespaces/spire/deployments', obj);
  }
  await rest.request('POST', '/api/v1/namespaces/spire/services', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'spire' },
    spec: { selector: { app: 'example-workload' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });

  const workload = () => sandbox.spire!.core.entries().map(entryFromWire).find((e) => e.spiffeId === 'spiffe://example.org/example-workload');
  await waitUntil('the workload entry with the service name', () => workload()?.dnsNames.includes('web.spire.svc') === true, { intervalMs: 50 });

  const slices = api.store.list('discovery.k8s.io/v1', 'EndpointSlice', 'spire');
  assert.equal(slices.length, 1);
  const slice = slices[0] as { metadata: { labels?: Record<string, string> }; endpoints: { targetRef: { name: string; uid: string }; conditions: { ready: boolean } }[] };
  assert.equal(slice.metadata.labels?.['kubernetes.io/service-name'], 'web');
  const pods = api.store.list('v1', 'Pod', 'spire').filter((p) => p.metadata.labels?.['app'] === 'example-workload');
  assert.deepEqual(slice.endpoints.map((e) => [e.targetRef.name, e.targetRef.uid, e.conditions.ready]), pods.map((p) => [p.metadata.name, p.metadata.uid, true]));

  // Deleting the Service deletes its slice (owner reference) and the name.
  await rest.request('DELETE', '/api/v1/namespaces/spire/services/web', {});
  await waitUntil('the service name to go', () => workload()?.dnsNames.includes('web.spire.svc') === false, { intervalMs: 50 });
  assert.deepEqual(api.store.list('discovery.k8s.io/v1', 'EndpointSlice', 'spire'), []);
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEPLOY_DIR, loadManifests, registrarConfigText, sortForApply } from './manifests.js';

test('reads deploy/reconcile as kubectl apply -k sends it: namespace first, the registrar ConfigMap included', async () => {
  const objects = await loadManifests(join(DEPLOY_DIR, 'reconcile'));
  assert.equal(objects[0]?.kind, 'Namespace');
  assert.ok(objects.some((o) => o.kind === 'DaemonSet' && o.metadata.name === 'spire-agent'));
  assert.ok(objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'example-workload'));
  assert.match(registrarConfigText(objects), /mode = "reconcile"/);
});

test('reads a kustomization that includes another directory (deploy/crd -> base)', async () => {
  const objects = await loadManifests(join(DEPLOY_DIR, 'crd'));
  assert.deepEqual(objects.slice(0, 2).map((o) => o.kind), ['Namespace', 'CustomResourceDefinition']);
  assert.match(registrarConfigText(objects), /mode = "crd"/);
});

test('webhook configurations are applied last, other kinds keep their order', () => {
  const sorted = sortForApply([
    { kind: 'ValidatingWebhookConfiguration', metadata: { name: 'v' } },
    { kind: 'DaemonSet', metadata: { name: 'a' } },
    { kind: 'Namespace', metadata: { name: 'n' } },
    { kind: 'DaemonSet', metadata: { name: 'b' } },
  ]);
  assert.deepEqual(sorted.map((o) => o.metadata.name), ['n', 'a', 'b', 'v']);
});

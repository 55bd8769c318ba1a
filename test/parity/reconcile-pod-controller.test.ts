// Parity with mode-reconcile/controllers/pod_controller_test.go (the final tree 54031492; the
// webhook-era tree a9bae499 holds the same cases, with Endpoints created after the pod in two of them).
// Here: the reconcile-mode runtime against the fake API server and the in-memory SPIRE server over its
// Unix socket, one of each for the file, a registrar started per case with that case's configuration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReconcileConfig } from '../../runtime/config/registrar-config.js';
import { aRawEndpointSlice } from '../fixtures/endpoint-slices.js';
import { startWorld, type World } from '../integration/reconcile-harness.js';

/**
 * The original's Endpoints object, as the EndpointSlice we read instead (decided difference): Service
 * foo-svc (or `svc`) in bar, one ready endpoint 123.123.123.123 for pod `pod`.
 */
function endpoints(w: World, svc: string, pod: string): void {
  w.kube.store.putObject(aRawEndpointSlice({ service: svc, namespace: 'bar', addresses: [{ pod, ip: '123.123.123.123' }] }) as never);
}

function deleteEndpoints(w: World, svc: string): void {
  w.kube.store.deleteObject('discovery.k8s.io/v1', 'EndpointSlice', `${svc}-abcde`, 'bar');
}

/** Starts a registrar and waits for its first full pass, so that what it did not write is known. */
async function registrar(w: World, overrides: Partial<ReconcileConfig>) {
  const reg = await w.startRegistrar({ resyncIntervalMs: 600_000, ...overrides });
  await reg.ready;
  await w.waitFor('the first full pass', () => reg.logs.some((l) => l.msg === 'Reconciled entries' && l.full === true));
  return reg;
}

test('mode-reconcile pod_controller_test.go', async (t) => {
  // The original's test registered a federated bundle for example.io, which its pods federate with.
  const w = await startWorld(t, ['example.io']);
  w.putNode('baz');
  const withId = (id: string) => w.entries().filter((e) => e.spiffeId === `spiffe://example.org${id}`);

  const modes: [string, Partial<ReconcileConfig>, string, string][] = [
    ['label', { podLabel: 'spiffe' }, '/label1', '/label2'],
    ['annotation', { podAnnotation: 'spiffe' }, '/annotation1', '/annotation2'],
    ['service account', {}, '/ns/bar/sa/sa1', '/ns/bar/sa/sa2'],
  ];
  for (const [mode, identity, first, second] of modes) {
    await t.test(`TestAddChangeRemovePod/${mode}`, async () => {
      const reg = await registrar(w, { podLabel: undefined, podAnnotation: undefined, ...identity } as Partial<ReconcileConfig>);
      const pod = {
        name: 'foo', namespace: 'bar', nodeName: 'baz', serviceAccount: 'sa1',
        labels: { spiffe: 'label1' }, annotations: { spiffe: 'annotation1', 'spiffe.io/federatesWith': 'example.io' },
      };
      w.putPod(pod);
      await w.waitFor(`the entry ${first}`, () => withId(first).length === 1);
      assert.deepEqual(withId(first)[0]?.federatesWith, ['example.io']);

      w.putPod({ ...pod, serviceAccount: 'sa2', labels: { spiffe: 'label2' }, annotations: { ...pod.annotations, spiffe: 'annotation2' } });
      await w.waitFor(`the entry ${second}`, () => withId(second).length === 1);
      assert.equal(withId(first).length, 0);
      assert.deepEqual(withId(second)[0]?.federatesWith, ['example.io']);

      w.deletePod('foo', 'bar');
      await w.waitFor(`the entry ${second} removed`, () => withId(second).length === 0);
      await reg.stop();
    });
  }

  const sa1 = () => withId('/ns/bar/sa/sa1');
  const dnsNames = () => sa1()[0]?.dnsNames ?? [];
  const podIpNames = ['123-123-123-124.bar.pod.cluster.local', '123-123-123-124.bar.pod'];
  const searchPath = (prefix: string) => [`${prefix}.bar.svc.cluster.local`, `${prefix}.bar.svc`, `${prefix}.bar`, prefix];
  const sorted = (names: readonly string[]) => [...names].sort();
  const dns = { addPodDnsNames: true, clusterDnsZone: 'cluster.local', podLabel: undefined, podAnnotation: undefined } as Partial<ReconcileConfig>;

  await t.test('TestAddDnsNames', async () => {
    const reg = await registrar(w, dns);
    w.putPod({ name: 'foo', namespace: 'bar', nodeName: 'baz', serviceAccount: 'sa1', podIP: '123.123.123.124' });
    await w.waitFor('the pod entry with its pod-IP names', () => dnsNames().length === 2);
    assert.deepEqual(dnsNames(), podIpNames);

    endpoints(w, 'foo-svc', 'foo');
    await w.waitFor('the service names', () => dnsNames().length > 2);
    // The pod-IP name stays first: it becomes the X509-SVID's subject.
    assert.equal(dnsNames()[0], '123-123-123-124.bar.pod.cluster.local');
    assert.deepEqual(sorted(dnsNames()), sorted([...podIpNames, ...searchPath('foo-svc'), ...searchPath('foo.foo-svc'), ...searchPath('123-123-123-123.foo-svc')]));

    deleteEndpoints(w, 'foo-svc');
    w.deletePod('foo', 'bar');
    await w.waitFor('the pod entry removed', () => sa1().length === 0);
    await reg.stop();
  });

  await t.test('TestDottedPodNamesDns: a pod name with dots makes no <pod>.<svc> names', async () => {
    const reg = await registrar(w, dns);
    w.putPod({ name: 'foo.3.0.0.woo', namespace: 'bar', nodeName: 'baz', serviceAccount: 'sa1', podIP: '123.123.123.124' });
    endpoints(w, 'foo-svc', 'foo.3.0.0.woo');
    await w.waitFor('the service names', () => dnsNames().length > 2);
    assert.equal(dnsNames()[0], '123-123-123-124.bar.pod.cluster.local');
    assert.deepEqual(sorted(dnsNames()), sorted([...podIpNames, ...searchPath('foo-svc'), ...searchPath('123-123-123-123.foo-svc')]));

    deleteEndpoints(w, 'foo-svc');
    w.deletePod('foo.3.0.0.woo', 'bar');
    await w.waitFor('the pod entry removed', () => sa1().length === 0);
    await reg.stop();
  });

  await t.test('TestDottedServiceNamesDns: a Service name with dots adds no names', async () => {
    w.putPod({ name: 'foo', namespace: 'bar', nodeName: 'baz', serviceAccount: 'sa1', podIP: '123.123.123.124' });
    endpoints(w, 'foo-svc.3.0.0', 'foo');
    const reg = await registrar(w, dns);
    await w.waitFor('the pod entry', () => sa1().length === 1);
    assert.deepEqual(dnsNames(), podIpNames);

    deleteEndpoints(w, 'foo-svc.3.0.0');
    w.deletePod('foo', 'bar');
    await w.waitFor('the pod entry removed', () => sa1().length === 0);
    await reg.stop();
  });

  await t.test('TestSkipsDisabledNamespace', async () => {
    w.putPod({ name: 'foo', namespace: 'bar', nodeName: 'baz', serviceAccount: 'sa1', podIP: '123.123.123.124' });
    const reg = await registrar(w, { ...dns, disabledNamespaces: ['bar'] });
    assert.deepEqual(sa1(), []);
    await reg.stop();
  });
});

// Kubernetes Events end to end: the recorder writes events.k8s.io/v1 Events through client-node to the
// fake API server, which serves them as events.k8s.io/v1 and as core v1 (what kubectl reads). The real
// kubectl's `get events` and `describe spiffeid` show them, describe only the object's own (its field
// selector on involvedObject), with the de-duplicated count. kubectl parts skip without kubectl.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CoreV1Api, EventsV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { startFakeKubeApi } from '../../adapters/kube-fake/index.js';
import { entryChangedEvent, spiffeIdProblemEvent, spiffeIdRef } from '../../handlers/events/registrar-event.js';
import { systemClock } from '../../runtime/clock.js';
import { createEventRecorder } from '../../runtime/events/event-recorder.js';
import { kubeEventSink } from '../../runtime/events/event-sink.kube.js';
import { kubeRest } from '../../runtime/sandbox/cluster/kube-rest.js';
import { loadManifests } from '../../runtime/sandbox/manifests.js';
import { KubectlLite } from '../../runtime/sandbox/tour/kubectl-lite.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const hasKubectl = await exec('kubectl', ['version', '--client']).then(() => true, () => false);

async function setup(t: TestContext) {
  const api = await startFakeKubeApi();
  t.after(() => api.close());
  for (const obj of await loadManifests(join(ROOT, 'deploy/crd/base/spiffeid.spiffe.io_spiffeids.yaml'))) api.store.putObject(obj);
  const spiffeId = (name: string) => ({
    apiVersion: 'spiffeid.spiffe.io/v1beta1',
    kind: 'SpiffeID',
    metadata: { name, namespace: 'default' },
    spec: { parentId: 'spiffe://example.org/spire/server', spiffeId: `spiffe://example.org/${name}`, selector: { podName: name, namespace: 'default' } },
  });
  const a = api.store.putObject(spiffeId('one'));
  const b = api.store.putObject(spiffeId('two'));
  const recorder = createEventRecorder({ sink: kubeEventSink(api.kubeConfig()), clock: systemClock, log: pino({ level: 'silent' }), instance: 'spire-server-0' });
  const one = spiffeIdRef({ namespace: 'default', name: 'one', uid: a.metadata.uid ?? '' });
  const two = spiffeIdRef({ namespace: 'default', name: 'two', uid: b.metadata.uid ?? '' });
  recorder.record(entryChangedEvent('created', one, 'entry-1'));
  await recorder.idle();
  recorder.record(entryChangedEvent('created', one, 'entry-1'));
  recorder.record(spiffeIdProblemEvent(two, 'InvalidSpiffeID', 'spec.spiffeId: trust domain is not example.org'));
  await recorder.idle();
  return { api };
}

test('recorded events are served as events.k8s.io/v1 and, converted, as core v1 with involvedObject field selectors', async (t) => {
  const { api } = await setup(t);
  const v1 = await api.kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: 'default' });
  assert.deepEqual(v1.items.map((e) => [e.reason, e.series?.count ?? 1, e.reportingController, e.reportingInstance]).sort(), [
    ['EntryCreated', 2, 'k8s-workload-registrar', 'spire-server-0'],
    ['InvalidSpiffeID', 1, 'k8s-workload-registrar', 'spire-server-0'],
  ]);
  const regarding = await api.kubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: 'default', fieldSelector: 'regarding.name=one,regarding.kind=SpiffeID' });
  assert.deepEqual(regarding.items.map((e) => e.reason), ['EntryCreated']);
  assert.equal(api.requestCounts()['create events'], 2, 'a repeat is a patch, not another create');
  assert.equal(api.requestCounts()['patch events'], 1);
  const core = await api.kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({
    namespace: 'default',
    fieldSelector: 'involvedObject.name=two,involvedObject.namespace=default,involvedObject.kind=SpiffeID',
  });
  assert.deepEqual(core.items.map((e) => [e.type, e.reason, e.message, e.involvedObject.name]), [
    ['Warning', 'InvalidSpiffeID', 'spec.spiffeId: trust domain is not example.org', 'two'],
  ]);
});

test('kubectl get events and kubectl describe spiffeid show them', { skip: !hasKubectl && 'kubectl is not on the PATH' }, async (t) => {
  const { api } = await setup(t);
  const tmp = await mkdtemp(join(tmpdir(), 'kube-fake-events-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  await api.writeKubeconfig(join(tmp, 'kubeconfig'));
  const env = { ...process.env, HOME: tmp, KUBECACHEDIR: join(tmp, 'cache') };
  const kubectl = async (...args: string[]) => (await exec('kubectl', ['--kubeconfig', join(tmp, 'kubeconfig'), ...args], { env, timeout: 30_000 })).stdout;

  const events = await kubectl('get', 'events', '-n', 'default');
  assert.match(events, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
  assert.match(events, /Normal\s+EntryCreated\s+spiffeid\/one\s+Created SPIRE entry entry-1/);
  assert.match(events, /Warning\s+InvalidSpiffeID\s+spiffeid\/two\s+spec\.spiffeId: trust domain is not example\.org/);

  const described = await kubectl('describe', 'spiffeid', '-n', 'default', 'one');
  assert.match(described, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/m);
  assert.match(described, /Normal\s+EntryCreated\s+\S+ \(x2 over \S+\)\s+k8s-workload-registrar\s+Created SPIRE entry entry-1/);
  assert.doesNotMatch(described, /InvalidSpiffeID/, "only the object's own events");

  // The sandbox tour's describe (kubectl-lite, no kubectl needed) prints what kubectl prints; ages aside.
  const rest = kubeRest(api.url);
  const lite = await new KubectlLite(rest, api.url).describe('spiffeid.spiffe.io/v1beta1', 'SpiffeID', 'default', 'one');
  const ageless = (text: string) => text.replace(/\b\d+[smh]\b/g, 'AGE').replace(/ +/g, ' ').trimEnd();
  assert.equal(ageless(lite), ageless(described));
  const [liteHead, kubectlHead] = [lite, described].map((x) => x.slice(0, x.indexOf('\nEvents:')));
  assert.equal(liteHead, kubectlHead, 'the object part is laid out exactly as kubectl does');
});

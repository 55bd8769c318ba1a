// The real kubectl against the fake API server, with a kubeconfig written by it. Skipped without kubectl.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type FakeKubeApi, startFakeKubeApi } from '../../adapters/kube-fake/index.js';
import { waitUntil } from '../fixtures/wait-until.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const skip = hasKubectl ? false : 'kubectl is not on the PATH';

let api: FakeKubeApi;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-fake-kubectl-'));
  api = await startFakeKubeApi();
  await api.writeKubeconfig(join(dir, 'kubeconfig'));
});
after(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

type Result = { code: number; stdout: string; stderr: string };

/** Runs kubectl with a 30 s timeout and its caches in the temp dir; never throws. `onStdout` sees output as it comes. */
function kubectl(...args: string[]): Promise<Result> {
  return kubectlStreaming(() => {}, ...args);
}

function kubectlStreaming(onStdout: (chunk: string) => void, ...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], {
      timeout: 30_000, env: { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') },
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdout?.on('data', (d: Buffer | string) => onStdout(d.toString()));
  });
}

async function manifest(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const WORKLOAD = `apiVersion: v1
kind: Namespace
metadata:
  name: spire
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: spire
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  namespace: spire
  labels:
    spire-workload: client
spec:
  containers:
  - name: c
    image: busybox:IMAGE_TAG
`;

test('kubectl get pods -A and get nodes on an empty cluster', { skip }, async () => {
  const pods = await kubectl('get', 'pods', '-A');
  assert.equal(pods.code, 0, pods.stderr);
  assert.match(pods.stderr, /No resources found/);
  api.store.putObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'minikube' } });
  const nodes = await kubectl('get', 'nodes');
  assert.equal(nodes.code, 0, nodes.stderr);
  assert.match(nodes.stdout, /^NAME\s.*\nminikube\s/);
});

test('kubectl apply -f creates a namespace, Deployment and Pod; re-apply patches; delete pod removes it', { skip }, async () => {
  const file = await manifest('workload.yaml', WORKLOAD.replace('IMAGE_TAG', '1.36'));
  const first = await kubectl('apply', '-f', file);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.stdout.trim().split('\n'), ['namespace/spire created', 'deployment.apps/web created', 'pod/client created']);
  const again = await kubectl('apply', '-f', await manifest('workload2.yaml', WORKLOAD.replace('IMAGE_TAG', '1.37')));
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(again.stdout.trim().split('\n'), ['namespace/spire unchanged', 'deployment.apps/web unchanged', 'pod/client configured']);
  assert.equal((api.store.get('v1', 'Pod', 'client', 'spire')?.['spec'] as { containers: Array<{ image: string }> }).containers[0]?.image, 'busybox:1.37');
  const get = await kubectl('get', 'pods', '-n', 'spire', '-o', 'name');
  assert.equal(get.stdout.trim(), 'pod/client');
  const table = await kubectl('get', 'pods', '-n', 'spire');
  assert.match(table.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s*\nclient\s+0\/1\s+Pending\s+0\s+\d+s\s*$/);
  const all = await kubectl('get', 'all', '-n', 'spire', '-o', 'name');
  assert.deepEqual(all.stdout.trim().split('\n'), ['pod/client', 'deployment.apps/web']);
  const del = await kubectl('delete', 'pod', 'client', '-n', 'spire');
  assert.equal(del.code, 0, del.stderr);
  assert.equal(del.stdout.trim(), 'pod "client" deleted');
  assert.equal(api.store.get('v1', 'Pod', 'client', 'spire'), undefined);
  const missing = await kubectl('delete', 'pod', 'client', '-n', 'spire');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NotFound.*pods "client" not found/);
});

test('kubectl delete -f a namespace with its contents deletes them all', { skip }, async () => {
  const file = await manifest('to-delete.yaml', WORKLOAD.replace('IMAGE_TAG', '1').replaceAll('spire', 'short-lived'));
  assert.equal((await kubectl('apply', '-f', file)).code, 0);
  const del = await kubectl('delete', '-f', file);
  assert.equal(del.code, 0, del.stderr);
  assert.deepEqual(del.stdout.trim().split('\n'), ['namespace "short-lived" deleted', 'deployment.apps "web" deleted', 'pod "client" deleted']);
  assert.equal(api.store.get('v1', 'Namespace', 'short-lived'), undefined);
});

test('kubectl get -w prints the list, then a row per change, and ends when the server closes', { skip }, async () => {
  api.store.putObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'watched' } });
  let printed = '';
  const watching = kubectlStreaming((chunk) => (printed += chunk), 'get', 'pods', '-n', 'watched', '-w', '--request-timeout', '20s');
  await waitUntil('kubectl to watch', () => api.watchCount > 0, { intervalMs: 20 });
  api.store.putObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'late', namespace: 'watched' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running' } });
  await waitUntil('kubectl to print the new pod', () => printed.includes('late'), { intervalMs: 20 });
  api.dropWatches();
  const out = await watching;
  assert.match(out.stdout, /late\s+0\/1\s+Running\s+0\s+\d+s/);
});

test('kubectl apply -f a CRD, then a custom resource; kubectl get <plural> -n ns lists it', { skip }, async () => {
  await kubectl('apply', '-f', await manifest('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: spire\n'));
  const crd = await kubectl('apply', '-f', await manifest('crd.yaml', `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: spiffeids.spiffeid.spiffe.io
spec:
  group: spiffeid.spiffe.io
  names: {kind: SpiffeID, listKind: SpiffeIDList, plural: spiffeids, singular: spiffeid}
  scope: Namespaced
  versions:
  - name: v1beta1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`));
  assert.equal(crd.code, 0, crd.stderr);
  const cr = await kubectl('apply', '-f', await manifest('cr.yaml', `apiVersion: spiffeid.spiffe.io/v1beta1
kind: SpiffeID
metadata:
  name: my-test-spiffeid
  namespace: spire
spec:
  parentId: spiffe://example.org/spire/server
  spiffeId: spiffe://example.org/test
  selector: {namespace: spire}
`));
  assert.equal(cr.code, 0, cr.stderr);
  assert.equal(cr.stdout.trim(), 'spiffeid.spiffeid.spiffe.io/my-test-spiffeid created');
  const list = await kubectl('get', 'spiffeids', '-n', 'spire');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^NAME\s+AGE\s*\nmy-test-spiffeid\s/);
  const del = await kubectl('delete', 'spiffeid', 'my-test-spiffeid', '-n', 'spire');
  assert.equal(del.code, 0, del.stderr);
});

test('what the fake does not serve fails with a clear Status, never a hang', { skip }, async () => {
  const proto = await kubectl('create', 'namespace', 'by-generator');
  assert.notEqual(proto.code, 0);
  assert.match(proto.stderr, /accepts only JSON/);
  const ssa = await kubectl('apply', '--server-side', '-f', await manifest('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n'));
  assert.notEqual(ssa.code, 0);
  assert.match(ssa.stderr, /server-side apply is not supported/);
  const raw = await kubectl('get', '--raw', '/apis/nothing.example.com/v1');
  assert.notEqual(raw.code, 0);
  assert.match(raw.stderr, /NotFound|could not find the requested resource/);
});

test('kubectl sees discovery.k8s.io/v1 EndpointSlices and selects them by Service label', { skip }, async () => {
  const file = await manifest('slice.yaml', `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abcde
  namespace: default
  labels:
    kubernetes.io/service-name: web
addressType: IPv4
endpoints:
  - addresses: ["10.244.0.7"]
    conditions: { ready: true }
    targetRef: { kind: Pod, name: web-0, namespace: default, uid: u-web-0 }
`);
  const applied = await kubectl('apply', '-f', file);
  assert.equal(applied.code, 0, applied.stderr);
  const got = await kubectl('get', 'endpointslices', '-n', 'default', '-l', 'kubernetes.io/service-name=web', '-o', 'name');
  assert.equal(got.stdout.trim(), 'endpointslice.discovery.k8s.io/web-abcde');
});

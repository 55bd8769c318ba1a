// Black-box: the npm binary, spawned as users run it, checking stdout, stderr and exit codes.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { cli } from './cli-harness.js';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cli-validate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// The tutorial's reconcile-mode ConfigMap.
const TUTORIAL_RECONCILE = `mode = "reconcile"
trust_domain = "example.org"
cluster = "k8stest"
server_socket_path = "/tmp/spire-server/private/api.sock"
metrics_addr = "0"
pod_label = "spire-workload"
`;

test('validate -config <file>: the effective configuration on stdout, exit 0', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'registrar.conf');
  await writeFile(path, TUTORIAL_RECONCILE);
  const r = await cli(['validate', '-config', path]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    [
      `# Effective configuration of ${path} (defaults filled in)`,
      'mode = "reconcile"',
      'log_level = "info"',
      'log_format = "text"',
      'trust_domain = "example.org"',
      'server_address = "unix:///tmp/spire-server/private/api.sock"',
      'cluster = "k8stest"',
      'pod_label = "spire-workload"',
      'disabled_namespaces = ["kube-system", "kube-public"]',
      'controller_name = "spire-k8s-registrar"',
      'add_pod_dns_names = false',
      'cluster_dns_zone = "cluster.local"',
      'metrics_addr = "0"',
      'leader_election = false',
      'leader_election_resource_lock = "leases"',
      'leader_election_lease_duration = "15s"',
      'leader_election_renew_deadline = "10s"',
      'leader_election_retry_period = "2s"',
      'resync_interval = "10s"',
      'relist_interval = "1h0m0s"',
      '',
    ].join('\n'),
  );
});

test('validate reads k8s-workload-registrar.conf from the working directory by default', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'k8s-workload-registrar.conf'), TUTORIAL_RECONCILE);
  const r = await cli(['validate', '-json'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).podLabel, 'spire-workload');
});

test('validate with a broken configuration: every problem on stderr with file:line, exit 1', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'bad.conf');
  await writeFile(path, 'mode = "reconcile"\ntrust_domian = "example.org"\nserver_address = "spire-server:8081"\nleader_election = "yes"\n');
  const r = await cli(['validate', `-config=${path}`]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.trimEnd().split('\n'), [
    `warning: ${path}:2: unknown configuration key "trust_domian" (did you mean "trust_domain"?); it is ignored`,
    `error: ${path}:3: agent_socket_path must be specified if the server is not a local socket`,
    `error: ${path}:4: leader_election: expected a bool (true or false), got string "yes"`,
    `error: ${path}: trust_domain must be specified`,
    `error: ${path}: cluster must be specified`,
  ]);
});

test('validate with an HCL syntax error reports the parser message at file:line:column, exit 1', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'syntax.conf');
  await writeFile(path, 'trust_domain = "example.org"\ncluster = "k8stest\n');
  const r = await cli(['validate', '-config', path]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^error: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: unable to decode configuration: Invalid multi-line string; `));
});

test('validate with a missing file, exit 1', async () => {
  const r = await cli(['validate', '-config', '/nonexistent/registrar.conf']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: unable to load configuration: ENOENT/);
});

test('validate shows crd mode\'s SpiffeID policy keys: the namespace policy by default, and "open" when asked for', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'crd.conf');
  await writeFile(path, 'mode = "crd"\ntrust_domain = "example.org"\ncluster = "k8stest"\nserver_socket_path = "/tmp/api.sock"\n');
  const r = await cli(['validate', '-config', path]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\ncluster_dns_zone = "cluster\.local"\nspiffeid_policy = "namespace"\nspiffeid_allowed_dns_suffixes = \[\]\n/);
  await writeFile(path, 'mode = "crd"\ntrust_domain = "example.org"\ncluster = "k8stest"\nserver_socket_path = "/tmp/api.sock"\nspiffeid_policy = "open"\nspiffeid_allowed_dns_suffixes = ["apps.example.com"]\n');
  const open = await cli(['validate', '-config', path]);
  assert.match(open.stdout, /\nspiffeid_policy = "open"\nspiffeid_allowed_dns_suffixes = \["apps\.example\.com"\]\n/);
});

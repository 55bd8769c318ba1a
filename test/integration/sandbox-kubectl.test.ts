// The real kubectl against a running `k8s-workload-registrar sandbox` (a child process, as a user starts
// it): apply the deploy manifests' agent and workload, get, delete, and check the entries through
// `k8s-workload-registrar entry show`. Skipped when kubectl is not installed.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitUntil } from '../fixtures/wait-until.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/k8s-workload-registrar.js');
const kubectlMissing = await exec('kubectl', ['version', '--client']).then(() => false, () => true);
const skip = kubectlMissing && 'kubectl is not on the PATH: skipped (install kubectl to run this test)';

async function startSandboxProcess(t: TestContext, mode: string) {
  const dir = await mkdtemp(join(tmpdir(), `sandbox-kubectl-${mode}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [BIN, 'sandbox', '--mode', mode, '--dir', dir, '--seed', '3'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  await waitUntil('the sandbox to start (or exit)', () => stdout.includes('Press Ctrl-C to stop.') || child.exitCode !== null, { intervalMs: 50 });
  if (child.exitCode !== null) throw new Error(`sandbox did not start:\n${stdout}\n${stderr}`);
  const kubectl = async (...args: string[]) => (await exec('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), ...args], { cwd: ROOT, timeout: 60_000 })).stdout;
  const spiffeIds = async () => {
    const { stdout: out } = await exec(process.execPath, [BIN, 'entry', 'show', '-socketPath', join(dir, 'api.sock')], { cwd: ROOT, timeout: 60_000 });
    return [...out.matchAll(/^SPIFFE ID\s+: (\S+)$/gm)].map((m) => m[1]).sort();
  };
  const stop = async () => {
    child.kill('SIGTERM');
    return { code: await exited, stdout: () => stdout };
  };
  return { dir, kubectl, spiffeIds, stop };
}

async function eventually<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let v: T | undefined;
  await waitUntil(what, async () => ok((v = await get())), { intervalMs: 100 });
  return v as T;
}

test('reconcile sandbox driven by kubectl: apply, get, delete deployment; entries follow; unserved APIs fail fast', { skip }, async (t) => {
  const s = await startSandboxProcess(t, 'reconcile');
  const applied = await s.kubectl('apply', '-f', 'deploy/reconcile/spire-agent.yaml', '-f', 'deploy/reconcile/workload.yaml');
  assert.match(applied, /daemonset\.apps\/spire-agent created/);
  assert.match(applied, /deployment\.apps\/example-workload created/);
  const pods = await eventually('two running pods', () => s.kubectl('get', 'pods', '-n', 'spire', '--no-headers'), (o) => (o.match(/Running/g) ?? []).length === 2);
  assert.match(pods, /^example-workload-\S+\s+1\/1\s+Running/m);
  const node = 'spiffe://example.org/spire-k8s-registrar/k8stest/node/minikube';
  await eventually('three entries', s.spiffeIds, (ids) => ids.length === 3);
  assert.deepEqual(await s.spiffeIds(), ['spiffe://example.org/agent', 'spiffe://example.org/example-workload', node]);

  assert.match(await s.kubectl('delete', 'deployment', '-n', 'spire', 'example-workload'), /deployment\.apps "example-workload" deleted/);
  await eventually('the workload pod gone', () => s.kubectl('get', 'pods', '-n', 'spire', '--no-headers'), (o) => !o.includes('example-workload'));
  await eventually('the workload entry gone', s.spiffeIds, (ids) => ids.length === 2);
  assert.deepEqual(await s.spiffeIds(), ['spiffe://example.org/agent', node]);

  // What the sandbox does not serve fails at once with a Kubernetes status, never hangs.
  const pod = (await s.kubectl('get', 'pods', '-n', 'spire', '-o', 'name')).trim().split('\n')[0] ?? '';
  for (const args of [['logs', '-n', 'spire', pod], ['exec', '-n', 'spire', pod, '--', 'ls']]) {
    const err = await s.kubectl(...args).then(() => undefined, (e: { stderr?: string; killed?: boolean }) => e);
    assert.ok(err, `kubectl ${args[0]} fails`);
    assert.equal(err.killed, false, `kubectl ${args[0]} does not hang`);
    assert.match(err.stderr ?? '', /NotFound|could not find the requested resource/);
  }

  const stopped = await s.stop();
  assert.equal(stopped.code, 0);
  assert.match(stopped.stdout(), /Stopping the sandbox/);
});

test('webhook sandbox driven by kubectl: pods are admitted through the registrar webhook', { skip }, async (t) => {
  const s = await startSandboxProcess(t, 'webhook');
  await s.kubectl('apply', '-f', 'deploy/webhook/spire-agent.yaml', '-f', 'deploy/webhook/workload.yaml');
  await eventually('three entries', s.spiffeIds, (ids) => ids.length === 3);
  assert.deepEqual(await s.spiffeIds(), [
    'spiffe://example.org/k8s-workload-registrar/k8stest/node',
    'spiffe://example.org/ns/spire/sa/default',
    'spiffe://example.org/ns/spire/sa/spire-agent',
  ]);
  await s.kubectl('delete', 'deployment', '-n', 'spire', 'example-workload');
  await eventually('the workload entry gone', s.spiffeIds, (ids) => ids.length === 2);
});

// The real binary in crd mode, which runs the mode in a worker thread of its own (a smaller young
// generation: runtime/heap-tuning.ts): the tutorial's crd config against the fake API server and the
// in-memory SPIRE server. What a user sees must not depend on the thread: the log lines, the entries,
// SIGTERM exiting 0 after a graceful stop, a fatal error exiting 1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCrdWorld, type CrdWorld } from './crd-harness.js';

const bin = fileURLToPath(new URL('../../bin/k8s-workload-registrar.js', import.meta.url));

async function startBinary(t: TestContext, w: CrdWorld, kubeconfig: string) {
  const configMap = await readFile(new URL('../../deploy/crd/base/registrar-config.yaml', import.meta.url), 'utf8');
  const conf = (configMap.split('k8s-workload-registrar.conf: |\n')[1] ?? '').replace(/^ {4}/gm, '').replace('/tmp/spire-server/private/api.sock', w.spire.socketPath);
  // JSON lines to read fields from; no metrics listener (another test may hold :8080).
  await writeFile(join(w.dir, 'registrar.conf'), `${conf}log_format = "json"\nmetrics_bind_addr = "0"\n`);
  const child = spawn(process.execPath, [bin, '-config', join(w.dir, 'registrar.conf')], {
    env: { ...process.env, KUBECONFIG: kubeconfig, MY_POD_NAMESPACE: 'spire' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // 'close', not 'exit': the output is complete only once the pipes are drained.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.after(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const lines = () => output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, exited, lines, output: () => output };
}

test('the binary runs crd mode in its own thread with a small young generation: entries follow pods, SIGTERM stops it gracefully, exit 0', async (t) => {
  const w = await startCrdWorld(t);
  w.putNode('minikube');
  w.putPod({ name: 'example-workload-1', namespace: 'spire', nodeName: 'minikube', annotations: { 'spiffe.io/spiffe-id': 'example-workload' } });
  await w.kube.writeKubeconfig(join(w.dir, 'kubeconfig'));
  const r = await startBinary(t, w, join(w.dir, 'kubeconfig'));

  await w.waitFor('the workload entry', () => w.entries().some((e) => e.spiffeId === 'spiffe://example.org/example-workload'));
  await w.waitFor('the Ready line', () => r.lines().some((l) => l.msg === 'Ready'));
  const start = r.lines().find((l) => l.msg === 'Starting k8s-workload-registrar');
  assert.equal(start?.mode, 'crd');
  assert.equal(start?.youngGenerationMiB, 6, 'the thread reports the limit V8 gave it');
  await w.deletePod('example-workload-1');
  await w.waitFor('the workload entry to go', () => !w.entries().some((e) => e.spiffeId === 'spiffe://example.org/example-workload'));

  r.child.kill('SIGTERM');
  assert.equal(await r.exited, 0, r.output());
  const msgs = r.lines().map((l) => l.msg);
  assert.ok(msgs.indexOf('Shutting down') < msgs.indexOf('Stopped'), msgs.join(' | '));
  assert.equal(msgs.filter((m) => m === 'Stopped').length, 1);
});

test('a fatal error inside the mode thread is logged once and the binary exits 1', async (t) => {
  const w = await startCrdWorld(t);
  const r = await startBinary(t, w, join(w.dir, 'no-such-kubeconfig'));
  assert.equal(await r.exited, 1, r.output());
  const fatal = r.lines().filter((l) => l.level === 'fatal' || l.level === 60);
  assert.equal(fatal.length, 1, r.output());
  assert.equal(fatal[0]?.msg, 'Registrar failed');
});

test('a crd configuration with a problem is reported on stderr before any thread starts, and the binary exits 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'crd-process-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const conf = join(dir, 'bad.conf');
  await writeFile(conf, 'server_socket_path = "/tmp/x.sock"\ncluster = "k8stest"\nmode = "crd"\nno_such_key = "x"\n');
  const child = spawn(process.execPath, [bin, '-config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 1, stderr);
  assert.match(stderr, /unknown configuration key "no_such_key"/);
  assert.match(stderr, /trust_domain must be specified/);
});

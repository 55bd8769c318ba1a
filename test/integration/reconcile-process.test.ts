// The real binary in reconcile mode, as the tutorial runs it: the seed's ConfigMap text as the config
// file, KUBECONFIG pointing at the fake API server, the in-memory SPIRE server's socket. The tutorial
// greps the registrar's log for "Created new spire entry" and "Deleted entry"; SIGTERM exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startWorld } from './reconcile-harness.js';

const bin = fileURLToPath(new URL('../../bin/k8s-workload-registrar.js', import.meta.url));

test('the binary registers the tutorial scenario, logs what the tutorial greps, and exits 0 on SIGTERM', async (t) => {
  const w = await startWorld(t);
  w.putNode('minikube');
  w.putPod({ name: 'spire-agent-x7k2p', namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': 'agent' } });
  w.putPod({ name: 'example-workload-1', namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': 'example-workload' } });

  const configMap = await readFile(new URL('../../deploy/reconcile/registrar-config.yaml', import.meta.url), 'utf8');
  const conf = (configMap.split('k8s-workload-registrar.conf: |\n')[1] ?? '').replace(/^ {4}/gm, '').replace('/tmp/spire-server/private/api.sock', w.spire.socketPath);
  await writeFile(join(w.dir, 'registrar.conf'), conf);
  await w.kube.writeKubeconfig(join(w.dir, 'kubeconfig'));

  const child = spawn(process.execPath, [bin, '-config', join(w.dir, 'registrar.conf')], {
    env: { ...process.env, KUBECONFIG: join(w.dir, 'kubeconfig'), MY_POD_NAMESPACE: 'spire' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));

  // The child is the compiled binary, but start-up is still slow on a busy machine.
  await w.waitFor('three entries', () => w.entries().length === 3);
  await w.waitFor('the create log lines', () => output.split('\n').filter((l) => l.includes('Created new spire entry')).length === 3);
  w.deletePod('example-workload-1');
  await w.waitFor('the workload entry to go', () => w.entries().length === 2);
  await w.waitFor('the delete log line', () => output.includes('Deleted entry'));
  const deleted = output.split('\n').find((l) => l.includes('Deleted entry')) ?? '';
  assert.match(deleted, /spiffe:\/\/example\.org\/example-workload/);

  child.kill('SIGTERM');
  assert.equal(await exited, 0, output);
});

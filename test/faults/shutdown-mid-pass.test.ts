// Shutdown while a pass is writing to a slow SPIRE: the pass in flight is aborted (its call cancelled,
// no further batch sent), with or without leader election; a registrar killed outright (SIGKILL) mid
// batch leaves whatever it wrote. Either way the next start lists SPIRE and ends with the exact set.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { newEntry } from '../../handlers/entries/entry.js';
import { waitUntil } from '../fixtures/wait-until.js';
import { describeEntries, ROOT, startWorld, type World } from '../integration/reconcile-harness.js';

const bin = fileURLToPath(new URL('../../bin/k8s-workload-registrar.js', import.meta.url));
const PODS = 120; // three create batches of 50 (node entry included)

function fill(w: World) {
  w.putNode('minikube');
  for (let i = 0; i < PODS; i++) w.putPod({ name: `p${i}`, namespace: 'spire', nodeName: 'minikube', labels: { 'spire-workload': `p${i}` } });
}

function expected(): string[] {
  return [
    `${ROOT}/minikube`,
    ...Array.from({ length: PODS }, (_, i) => `spiffe://example.org/p${i}`),
  ].sort();
}
const ids = (w: World) => w.entries().map((e) => e.spiffeId).sort();

for (const leaderElection of [false, true]) {
  test(`stop during a slow pass aborts it (leader_election = ${leaderElection}); the next start completes it`, async (t) => {
    const w = await startWorld(t);
    fill(w);
    const faults = w.spire.core.faults;
    faults.holdFrom('BatchCreateEntry', 1);
    const deps = leaderElection ? { namespace: 'spire', identity: 'only', leaderTiming: { leaseDurationMs: 1_000, renewDeadlineMs: 700, retryPeriodMs: 100 } } : {};
    const first = await w.startRegistrar({ leaderElection, resyncIntervalMs: 60_000 }, deps);
    await first.ready;
    await w.waitFor('the first create batch to reach SPIRE', () => w.spire.core.calls().BatchCreateEntry === 1);
    await first.stop();
    const sent = w.spire.core.calls().BatchCreateEntry;
    assert.equal(sent, 1, 'no batch was sent after the shutdown began');
    assert.ok(first.logs.some((l) => l.msg === 'Reconcile pass aborted'));
    // The held batch was cancelled by the client; whether SPIRE still applies it (the cancel may not
    // reach it before the channel closes) changes nothing: the next start lists and completes.
    faults.releaseHeld();

    const second = await w.startRegistrar({ leaderElection, resyncIntervalMs: 60_000 }, deps);
    await second.ready;
    await w.waitFor('every entry', () => w.entries().length === PODS + 1);
    assert.deepEqual(ids(w), expected());
    assert.equal(new Set(describeEntries(w.entries())).size, PODS + 1, 'no duplicates');
  });
}

test('the binary: SIGTERM mid-pass exits 0 without sending another batch; SIGKILL mid-batch and a restart end exact', async (t) => {
  const w = await startWorld(t);
  fill(w);
  const operator = await w.spire.entryStore.createEntries([
    newEntry({ spiffeId: 'spiffe://example.org/operator', parentId: `${ROOT}/minikube`, selectors: [{ type: 'unix', value: 'uid:0' }] }),
  ]);
  assert.equal(operator[0]?.status.code, 0);
  w.spire.core.resetCalls();
  const faults = w.spire.core.faults;
  const configMap = await readFile(new URL('../../deploy/reconcile/registrar-config.yaml', import.meta.url), 'utf8');
  const conf = (configMap.split('k8s-workload-registrar.conf: |\n')[1] ?? '').replace(/^ {4}/gm, '').replace('/tmp/spire-server/private/api.sock', w.spire.socketPath);
  await writeFile(join(w.dir, 'registrar.conf'), conf);
  await w.kube.writeKubeconfig(join(w.dir, 'kubeconfig'));
  const start = () => {
    const child = spawn(process.execPath, [bin, '-config', join(w.dir, 'registrar.conf')], {
      env: { ...process.env, KUBECONFIG: join(w.dir, 'kubeconfig'), MY_POD_NAMESPACE: 'spire' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    t.after(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
    return { child, exited };
  };

  // SIGTERM while the first batch is held by SPIRE: exit 0, and no second batch is ever sent.
  faults.holdFrom('BatchCreateEntry', 1);
  const a = start();
  await waitUntil('the first create batch', () => w.spire.core.calls().BatchCreateEntry === 1, { intervalMs: 20 });
  a.child.kill('SIGTERM');
  assert.deepEqual(await a.exited, { code: 0, signal: null });
  assert.equal(w.spire.core.calls().BatchCreateEntry, 1);
  faults.releaseHeld();
  await w.waitFor('the cancelled batch to be dropped', () => faults.dropped === 1);
  assert.equal(w.entries().length, 1, 'only the operator entry');

  // SIGKILL while the second batch is held, the first one applied: what landed stays, nothing else.
  w.spire.core.resetCalls();
  faults.holdFrom('BatchCreateEntry', 2);
  const b = start();
  await waitUntil('the second batch held', () => w.spire.core.calls().BatchCreateEntry === 2, { intervalMs: 20 });
  b.child.kill('SIGKILL');
  assert.equal((await b.exited).signal, 'SIGKILL');
  faults.releaseHeld();
  // After a SIGKILL the server learns of the cancel only when it sees the socket close, which may come
  // after the release: the held batch is then dropped or applied whole, never in part.
  await w.waitFor('the killed batch to be dropped or applied', () => faults.dropped === 2 || w.entries().length === 101);
  const landed = w.entries().length;
  assert.ok(landed === 51 || landed === 101, `the operator entry and whole batches of 50 (${landed})`);

  const c = start();
  await waitUntil('every entry after the restart', () => w.entries().length === PODS + 2, { intervalMs: 20 });
  assert.deepEqual(ids(w), [...expected(), 'spiffe://example.org/operator'].sort());
  c.child.kill('SIGTERM');
  assert.deepEqual(await c.exited, { code: 0, signal: null });
});

// Keeps the benchmark scripts from rotting: each scenario runs end to end at a tiny size (a few seconds,
// no performance thresholds) against the real processes and servers, and writes its JSON to a temp dir.
// Every scenario stops its registrar process in a finally block; the check below proves none is left.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { churn, logLevelFlag } from '../../bench/churn.js';
import { crdWriteCost } from '../../bench/crd-write-cost.js';
import { crdPassCost } from '../../bench/crd-pass-cost.js';
import { coldStart } from '../../bench/cold-start.js';
import { restart } from '../../bench/restart.js';
import { slowLoris } from '../../bench/slow-loris.js';
import { webhook } from '../../bench/webhook.js';
import { faults } from '../../bench/faults.js';
import { spireClientGc } from '../../bench/spire-client-gc.js';

/** Node processes that are children of this test process (registrars, the floor). */
function childNodeProcesses(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /k8s-workload-registrar|runtime\/cli\.js|floor\.js|floor\.ts|loris\.ts/.test(l));
  } catch {
    return []; // ps exits 1 when there are no children
  }
}

async function resultsDir(t: import('node:test').TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function readResult(dir: string, scenario: string): Promise<{ rows: Record<string, unknown>[]; details?: Record<string, unknown>; machine: { nproc: number } }> {
  return JSON.parse(await readFile(join(dir, `${scenario}.json`), 'utf8'));
}

const small = { nodes: 3, pods: 30, timeoutS: 60 };

test('cold start: reconcile (the npm binary), floor and crd reach the desired entries', async (t) => {
  const dir = await resultsDir(t);
  await coldStart({ ...small, crd: 1 }, { dir, quiet: true });
  const r = await readResult(dir, 'cold-start');
  assert.deepEqual(r.rows.map((row) => [row.case, row.entries]), [
    ['reconcile', 33], ['floor', 33], ['crd', 33],
  ]);
  assert.ok(r.machine.nproc >= 1);
  assert.deepEqual(childNodeProcesses(), []);
});

test('restart: both modes come back in sync and report their writes', async (t) => {
  const dir = await resultsDir(t);
  await restart({ ...small, crd: 1 }, { dir, quiet: true });
  const r = await readResult(dir, 'restart');
  assert.deepEqual(r.rows.map((row) => [row.case, row.entries, typeof row['SPIRE writes']]), [
    ['reconcile', 33, 'number'], ['crd', 33, 'number'],
  ]);
  assert.deepEqual(childNodeProcesses(), []);
});

test('churn: every create and delete is timed and SPIRE ends in sync, in reconcile and crd mode', async (t) => {
  const dir = await resultsDir(t);
  await churn({ ...small, rate: 20, durationS: 1, reconcile: 1, crd: 1 }, { dir, quiet: true });
  for (const scenario of ['churn', 'churn-crd']) {
    const r = await readResult(dir, scenario);
    const both = r.rows.find((row) => row.direction === 'both');
    assert.equal(both?.events, 40, scenario);
    assert.equal(both?.measured, 40, scenario);
    assert.equal(r.details?.inSyncAtEnd, true, scenario);
  }
  assert.deepEqual(childNodeProcesses(), []);
});

test('webhook: fixed-rate and max-throughput admissions over mTLS, with and without SPIRE delay', async (t) => {
  const dir = await resultsDir(t);
  await webhook({ rate: 20, durationS: 1, maxS: 1, concurrency: 4, delayMs: 1, timeoutS: 60, probe: 1, gc: 1, spireProcess: 1 }, { dir, quiet: true });
  const r = await readResult(dir, 'webhook');
  assert.deepEqual(r.rows.map((row) => [row['SPIRE delay ms'], row.errors]), [[0, 0], [0, 0], [1, 0], [1, 0]]);
  assert.equal(r.rows[0]?.requests, 20);
  // --probe=1: the registrar's probe saw every fixed-rate request served (matched by x-bench-seq).
  const attribution = r.details?.attribution as Record<string, { requests: number; matched: number }>;
  assert.deepEqual(Object.values(attribution).map((a) => [a.requests, a.matched]), [[20, 20], [20, 20]]);
  // --spire-process=1: SPIRE served from its own process, whose probe data came back too.
  assert.equal(r.details?.spireInChildProcess, true);
  assert.ok(Object.values(attribution as Record<string, { spireGc?: unknown }>).every((a) => a.spireGc !== undefined));
  // --gc=1: the registrar's --trace-gc-nvp lines were read and summarised per fixed-rate row.
  const gc = r.details?.registrarGc as Record<string, { scavenges: number }>;
  assert.deepEqual(Object.keys(gc), ['20/s, SPIRE 0 ms', '20/s, SPIRE 1 ms']);
  assert.deepEqual(childNodeProcesses(), []);
});

test('spire-client-gc: both transports make their calls in a child process and their scavenges are counted', async (t) => {
  const dir = await resultsDir(t);
  await spireClientGc({ calls: 400, rate: 400 }, { dir, quiet: true });
  const r = await readResult(dir, 'spire-client-gc');
  assert.deepEqual(r.rows.map((row) => [row.transport, row.calls]), [['grpc-js', 400], ['http2', 400]]);
  assert.ok(r.rows.every((row) => typeof row['KiB allocated per unit'] === 'number'));
  assert.deepEqual(childNodeProcesses(), []);
});

test('faults: recovery after SPIRE outages (reconcile, webhook back empty) and SIGTERM with a slow SPIRE', async (t) => {
  const dir = await resultsDir(t);
  await faults({ nodes: 2, pods: 20, repeats: 1, outageS: 1, outage2S: 0, long: 0, slowPods: 120, webhookPods: 10, stall: 0, timeoutS: 60 }, { dir, quiet: true });
  const { rows } = await readResult(dir, 'faults');
  assert.deepEqual(rows.map((r) => String(r.case).split(':')[0]), ['reconcile', 'webhook', 'SIGTERM, SPIRE 50 ms/call, leader_election = false', 'SIGTERM, SPIRE 50 ms/call, leader_election = true'].map((c) => c.split(':')[0]));
  for (const r of rows.slice(2)) assert.equal(r['exit code'], '0');
  assert.deepEqual(childNodeProcesses(), []);
});

test('slow-loris: good admissions idle and while slow connections are held, all answered', async (t) => {
  const dir = await resultsDir(t);
  await slowLoris({ loris: 4, rate: 10, durationS: 1, trickleMs: 100, timeoutS: 60 }, { dir, quiet: true });
  const r = await readResult(dir, 'slow-loris');
  assert.deepEqual(r.rows.map((row) => [row.load, row.requests, row.errors]), [['idle', 10, 0], ['slow-loris', 10, 0]]);
  assert.deepEqual(childNodeProcesses(), []);
});

test('crd pass cost: a converged cluster, passes that write nothing, each planner timed', async () => {
  const r = await crdPassCost({ nodes: 2, pods: 20, runs: 3 });
  assert.deepEqual([r.spiffeIds, r.entries, r.writes], [22, 22, 0]);
  for (const ms of Object.values(r.medianCpuMs)) assert.ok(Number.isFinite(ms) && ms >= 0);
});

test('crd write cost: both transports write through a fake API server in a child process, CPU per write counted', async () => {
  const r = await crdWriteCost({ writes: 10, rounds: 1, tls: 1 });
  for (const t of [r['client-node'], r.auto]) for (const us of Object.values(t)) assert.ok(Number.isFinite(us) && us > 0);
});

test('churn --log-level: info unless debug is asked for; the other flags pass through', () => {
  assert.deepEqual(logLevelFlag(['--pods=10']), { logLevel: 'info', rest: ['--pods=10'] });
  assert.deepEqual(logLevelFlag(['--log-level=debug', '--rate=5']), { logLevel: 'debug', rest: ['--rate=5'] });
  assert.throws(() => logLevelFlag(['--log-level=trace']), /info or debug/);
});

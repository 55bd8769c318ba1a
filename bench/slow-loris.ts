// Scenario 5: a good admission's latency while slow clients hold connections to the webhook, against its
// latency idle. The registrar serves webhook mode with client-certificate verification (compiled, as the
// image runs it); the harness plays the API server (one keep-alive mTLS connection, one admission at a
// time at a fixed rate) and, in the second half, an attacker process (bench/lib/loris.ts) keeps `loris`
// slow connections open, reopening each one the server closes, so the pressure stays constant; the rows
// count how often the server cut one (handshake and header timeouts, the connection cap).
//   npm run bench:slow-loris -- [--loris=200] [--rate=50] [--duration-s=20] [--trickle-ms=500]
import type https from 'node:https';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { anAdmissionReview } from '../test/fixtures/admission.js';
import { parseArgs } from './lib/args.js';
import { startBenchWorld } from './lib/cluster.js';
import { registrarNodeArgs, runIfMain } from './lib/main.js';
import { report, type Row, type ScenarioResult } from './lib/report.js';
import { round, summarize } from './lib/stats.js';
import { postAdmission, startWebhookUnderTest } from './lib/webhook-client.js';
import type { RunOptions } from './cold-start.js';

export const slowLorisDefaults = { loris: 200, rate: 50, durationS: 20, trickleMs: 500, timeoutS: 60 };
export type SlowLorisParams = typeof slowLorisDefaults;

type Outcome = { ok: boolean; ms: number };

/** Good admissions at `rate` per second, one at a time (open loop: latency counts from the scheduled send). */
async function goodAdmissions(agent: https.Agent, url: string, run: string, rate: number, seconds: number): Promise<Outcome[]> {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const out: Promise<Outcome>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = started + (i / rate) * 1000;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const body = JSON.stringify(anAdmissionReview({ uid: `${run}-${i}`, pod: { name: `${run}-${i}`, namespace: 'bench', serviceAccount: 'sa' } }));
    out.push(postAdmission(agent, url, body).then((ok) => ({ ok, ms: performance.now() - scheduled })));
  }
  return Promise.all(out);
}

type Loris = { stop(): Promise<number> };

/** Starts bench/lib/loris.ts as its own process; stop() ends it and resolves with how many connections the server cut. */
async function startLoris(port: number, count: number, trickleMs: number, files: readonly string[]): Promise<Loris> {
  const script = fileURLToPath(new URL('./lib/loris.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(port), String(count), String(trickleMs), ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => out.includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`the slow-loris process exited (${code}) before it was ready`)));
  });
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      process.off('exit', onExit);
      return Number(/cut (\d+)/.exec(out)?.[1] ?? 0);
    },
  };
}

function row(load: string, outcomes: readonly Outcome[], extra: Record<string, number | string>): Row {
  const lat = summarize(outcomes.map((o) => o.ms));
  return { load, requests: outcomes.length, errors: outcomes.filter((o) => !o.ok).length, 'p50 ms': lat.p50, 'p99 ms': lat.p99, 'max ms': lat.max, ...extra };
}

export async function slowLoris(p: SlowLorisParams, o: RunOptions = {}): Promise<ScenarioResult> {
  const world = await startBenchWorld({ nodes: 0, pods: 0 });
  try {
    const { reg, agent, url, port, tls, stop } = await startWebhookUnderTest(world, { maxSockets: 1, timeoutS: p.timeoutS, ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}) });
    try {
      await goodAdmissions(agent, url, 'warmup', p.rate, 2);

      let cpu = reg.cpuSeconds();
      const idle = await goodAdmissions(agent, url, 'idle', p.rate, p.durationS);
      const rows: Row[] = [row('idle', idle, { 'slow connections': 0, 'cut by server': 0, 'registrar CPU s': round(reg.cpuSeconds() - cpu, 2) })];

      const clientFiles = [join(world.dir, 'loris-ca.pem'), join(world.dir, 'loris-cert.pem'), join(world.dir, 'loris-key.pem')];
      await Promise.all([tls.client.ca, tls.client.cert, tls.client.key].map((pem, i) => writeFile(clientFiles[i] as string, pem)));
      const loris = await startLoris(port, p.loris, p.trickleMs, clientFiles);
      let cut = 0;
      let attacked: Outcome[];
      try {
        cpu = reg.cpuSeconds();
        attacked = await goodAdmissions(agent, url, 'loris', p.rate, p.durationS);
      } finally {
        cut = await loris.stop();
      }
      rows.push(row('slow-loris', attacked, { 'slow connections': p.loris, 'cut by server': cut, 'registrar CPU s': round(reg.cpuSeconds() - cpu, 2) }));
      const result: ScenarioResult = {
        scenario: 'slow-loris',
        params: p,
        rows,
        details: { registrarPeakRssMiB: reg.peakRssMiB() },
      };
      await report(result, o);
      return result;
    } finally {
      await stop();
    }
  } finally {
    await world.close();
  }
}

runIfMain(import.meta.url, async (argv) => {
  await slowLoris(parseArgs(argv, slowLorisDefaults), registrarNodeArgs());
});

// Scenario 4: webhook mode under admission load. The registrar serves HTTPS with client-certificate
// verification; the harness plays the API server (keep-alive mTLS connections) and sends pod CREATE and
// DELETE AdmissionReviews, alternating, over at most `concurrency` connections (opened during a warm-up):
// at a fixed rate (open loop: latency counts from the scheduled send time, so a stall is not hidden), then
// as fast as `concurrency` callers can go. Both with the in-memory SPIRE server answering at once and
// after an injected delay. "send lag" is the harness's own lateness; "CPU ms/req" the registrar's.
// `--max-s=0` skips the closed loop, `--delay-ms=0` runs SPIRE at 0 ms only. `--probe=1` preloads
// bench/lib/latency-probe.js into the registrar and prints, per fixed-rate row, what its slow admissions
// overlapped (bench/lib/latency-attribution.ts): GC pauses of either process, event-loop delay, and how
// each slow request's time splits between the harness, the wire and the registrar. `--gc=1` runs the
// registrar with --trace-gc-nvp and prints its scavenges and bytes per admission (bench/lib/gc-trace.ts).
// `--spire-process=1` (default) serves SPIRE from a child process, as a real SPIRE server is its own
// process; 0 keeps it in the harness's process, sharing the load generator's heap and event loop.
//   npm run bench:webhook -- [--rate=500] [--duration-s=30] [--max-s=10] [--concurrency=32] [--delay-ms=5] [--probe=0] [--gc=0] [--spire-process=1]
import https from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyFile, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { anAdmissionReview } from '../test/fixtures/admission.js';
import { webhookTls } from '../test/fixtures/webhook-tls.js';
import { parseArgs } from './lib/args.js';
import { attributeLatency, now, startProcessProbe, type ProbeData, type SentRequest } from './lib/latency-attribution.js';
import { startBenchWorld, type BenchWorld } from './lib/cluster.js';
import { startSpireProcess } from './lib/spire-process.js';
import { registrarNodeArgs, runIfMain } from './lib/main.js';
import { startRegistrar, webhookHcl } from './lib/registrar-process.js';
import { report, type Row, type ScenarioResult } from './lib/report.js';
import { callsText, entryCalls } from './lib/spire-state.js';
import { type GcSummary, summarizeGc } from './lib/gc-trace.js';
import { round, summarize } from './lib/stats.js';
import { postAdmission } from './lib/webhook-client.js';
import type { RunOptions } from './cold-start.js';

const probeScript = fileURLToPath(new URL('./lib/latency-probe.js', import.meta.url));

export const webhookDefaults = { rate: 500, durationS: 30, maxS: 10, concurrency: 32, delayMs: 5, timeoutS: 60, probe: 0, gc: 0, spireProcess: 1 };
export type WebhookParams = typeof webhookDefaults;

/** `lagMs`: how late the harness sent the request against its schedule (its own event-loop delay). */
type Outcome = { ok: boolean; ms: number; lagMs?: number };

/** Numbers every request (header x-bench-seq) so that the registrar's probe can match its own timings. */
let sequence = 0;

/** Alternates CREATE and DELETE so that SPIRE's size stays flat; deletes trail creates by 100 pods. */
function admissionBodies(run: string): () => string {
  let made = 0;
  let deleted = 0;
  let i = 0;
  return () => {
    const del = i++ % 2 === 1 && made - deleted > 100;
    const n = del ? deleted++ : made++;
    return JSON.stringify(anAdmissionReview({
      uid: `${run}-${i}`,
      operation: del ? 'DELETE' : 'CREATE',
      pod: { name: `${run}-${n}`, namespace: `bench-${n % 20}`, serviceAccount: `sa-${n % 50}`, nodeName: `node-${n % 500}` },
    }));
  };
}

function post(agent: https.Agent, url: string, body: string, seq = sequence++): Promise<boolean> {
  return postAdmission(agent, url, body, { 'x-bench-seq': seq });
}

async function fixedRate(agent: https.Agent, url: string, run: string, rate: number, seconds: number, sent: SentRequest[] = []): Promise<Outcome[]> {
  const next = admissionBodies(run);
  const total = Math.round(rate * seconds);
  const out: Promise<Outcome>[] = [];
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
      while (out.length < due) {
        const scheduled = started + (out.length / rate) * 1000;
        const lagMs = performance.now() - scheduled;
        const r: SentRequest = { seq: sequence++, scheduled: performance.timeOrigin + scheduled, sent: now(), done: 0, ok: false };
        sent.push(r);
        out.push(post(agent, url, next(), r.seq).then((ok) => {
          r.done = now();
          r.ok = ok;
          return { ok, ms: performance.now() - scheduled, lagMs };
        }));
      }
      if (out.length >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  const all = await Promise.all(out);
  if (process.env.BENCH_WEBHOOK_TIMELINE) {
    for (let sec = 0; sec < seconds; sec++) {
      const slice = all.slice(sec * rate, (sec + 1) * rate);
      process.stderr.write(`second ${sec}: ${JSON.stringify(summarize(slice.map((o) => o.ms)))} lag ${summarize(slice.map((o) => o.lagMs ?? 0)).p99}\n`);
    }
  }
  return all;
}

async function maxThroughput(agent: https.Agent, url: string, run: string, concurrency: number, seconds: number): Promise<{ outcomes: Outcome[]; seconds: number }> {
  const next = admissionBodies(run);
  const outcomes: Outcome[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const ok = await post(agent, url, next());
      outcomes.push({ ok, ms: performance.now() - t0 });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { outcomes, seconds: (performance.now() - started) / 1000 };
}

function row(load: string, delayMs: number, outcomes: readonly Outcome[], seconds: number, calls: string, cpuSeconds: number): Row {
  const lat = summarize(outcomes.map((o) => o.ms));
  return {
    load,
    'SPIRE delay ms': delayMs,
    requests: outcomes.length,
    errors: outcomes.filter((o) => !o.ok).length,
    'req/s': round(outcomes.length / seconds, 0),
    'p50 ms': lat.p50,
    'p99 ms': lat.p99,
    'max ms': lat.max,
    ...(outcomes[0]?.lagMs !== undefined ? { 'send lag p99 ms': summarize(outcomes.map((o) => o.lagMs ?? 0)).p99 } : {}),
    'registrar CPU ms/req': round((cpuSeconds * 1000) / Math.max(1, outcomes.length), 2),
    'SPIRE calls': calls,
  };
}

/** The SPIRE server the registrar talks to: in the harness process, or in a child (`--spire-process=1`). */
type BenchSpire = {
  readonly socketPath: string;
  delayMs(ms: number): Promise<void>;
  resetCalls(): Promise<void>;
  callsText(): Promise<string>;
  entryCount(): Promise<number>;
  /** The child's probe data (GC pauses), written when it exits. */
  readonly probeOut?: string;
  close(): Promise<void>;
};

async function benchSpire(world: BenchWorld, p: WebhookParams): Promise<BenchSpire> {
  if (!p.spireProcess) {
    const { core } = world.spire;
    return {
      socketPath: world.spire.socketPath,
      delayMs: async (ms) => core.faults.delayMs(ms),
      resetCalls: async () => core.resetCalls(),
      callsText: async () => callsText(entryCalls(world)),
      entryCount: async () => world.tracker.count,
      close: async () => {},
    };
  }
  const probeOut = join(world.dir, 'spire-probe.json');
  const child = await startSpireProcess(join(world.dir, 'spire-child.sock'), p.probe ? { nodeArgs: ['--import', probeScript], env: { BENCH_PROBE_OUT: probeOut } } : {});
  return {
    socketPath: child.socketPath,
    delayMs: (ms) => child.delayMs(ms),
    resetCalls: () => child.resetCalls(),
    callsText: async () => {
      const nonZero = Object.fromEntries(Object.entries(await child.calls()).filter(([, v]) => v > 0));
      return callsText(nonZero);
    },
    entryCount: () => child.entryCount(),
    ...(p.probe ? { probeOut } : {}),
    close: () => child.close(),
  };
}

export async function webhook(p: WebhookParams, o: RunOptions = {}): Promise<ScenarioResult> {
  const world = await startBenchWorld({ nodes: 0, pods: 0 });
  let spire: BenchSpire | undefined;
  try {
    const tls = await webhookTls(world.dir);
    spire = await benchSpire(world, p);

    const probeOut = join(world.dir, 'registrar-probe.json');
    const nodeArgs = [...(p.probe ? ['--import', probeScript] : []), ...(p.gc ? ['--trace-gc-nvp'] : []), ...(o.nodeArgs ?? [])];
    const reg = await startRegistrar({
      dir: world.dir,
      hcl: webhookHcl(spire.socketPath, tls),
      watchMessages: ['Serving admission webhook', 'Webhook ready'],
      ...(nodeArgs.length > 0 ? { nodeArgs } : {}),
      ...(p.probe ? { env: { BENCH_PROBE_OUT: probeOut } } : {}),
    });
    const harnessProbe = p.probe ? startProcessProbe() : undefined;
    const sentByRow = new Map<number, SentRequest[]>();
    // --gc=1: the registrar's collections during each fixed-rate row, per admission (bench/lib/gc-trace.ts).
    const gcByRow: Record<string, GcSummary> = {};
    const agent = new https.Agent({ keepAlive: true, maxSockets: p.concurrency, ...tls.client });
    try {
      const listening = await reg.waitForLog('Serving admission webhook', undefined, p.timeoutS * 1000);
      await reg.waitForLog('Webhook ready', undefined, p.timeoutS * 1000);
      const url = `https://127.0.0.1:${Number(listening.line.port)}/validate`;
      // Warm up: open every connection (TLS handshakes stay out of the measured runs), JIT, the gRPC channel.
      await maxThroughput(agent, url, 'warmup', p.concurrency, 2);

      const rows: Row[] = [];
      for (const delayMs of p.delayMs > 0 ? [0, p.delayMs] : [0]) {
        await spire.delayMs(delayMs);
        await spire.resetCalls();
        let cpu = reg.cpuSeconds();
        const sent: SentRequest[] = [];
        sentByRow.set(delayMs, sent);
        const from = performance.now();
        const fixed = await fixedRate(agent, url, `fixed-${delayMs}`, p.rate, p.durationS, sent);
        rows.push(row(`${p.rate}/s`, delayMs, fixed, p.durationS, await spire.callsText(), reg.cpuSeconds() - cpu));
        if (p.gc) gcByRow[`${p.rate}/s, SPIRE ${delayMs} ms`] = summarizeGc(reg.gcEvents(), from, performance.now(), fixed.length);
        if (p.maxS <= 0) continue;
        await spire.resetCalls();
        cpu = reg.cpuSeconds();
        const max = await maxThroughput(agent, url, `max-${delayMs}`, p.concurrency, p.maxS);
        rows.push(row(`max (${p.concurrency} callers)`, delayMs, max.outcomes, max.seconds, await spire.callsText(), reg.cpuSeconds() - cpu));
      }
      const details: Record<string, unknown> = { registrarPeakRssMiB: reg.peakRssMiB(), registrarCpuSeconds: round(reg.cpuSeconds(), 1), entriesAtEnd: await spire.entryCount(), spireInChildProcess: p.spireProcess === 1 };
      if (p.gc) {
        details.registrarGc = gcByRow;
        if (!o.quiet) process.stdout.write(`\nregistrar GC per fixed-rate row (per admission):\n${JSON.stringify(gcByRow, null, 1)}\n`);
      }
      agent.destroy();
      await reg.stop();
      await spire.close();
      if (harnessProbe) {
        // The registrar writes its probe file as it exits.
        const registrar = JSON.parse(await readFile(probeOut, 'utf8')) as ProbeData;
        // BENCH_PROBE_KEEP=<file>: keep the registrar's raw probe data (the world's directory is removed).
        if (process.env.BENCH_PROBE_KEEP) await copyFile(probeOut, process.env.BENCH_PROBE_KEEP);
        const harness = harnessProbe.stop();
        const spireProbe = spire.probeOut ? (JSON.parse(await readFile(spire.probeOut, 'utf8')) as ProbeData) : undefined;
        const attribution = Object.fromEntries([...sentByRow].map(([delayMs, sent]) => [`${p.rate}/s, SPIRE ${delayMs} ms`, attributeLatency(sent, registrar, harness, 5, spireProbe)]));
        details.attribution = attribution;
        if (!o.quiet) process.stdout.write(`\nwhere the slow admissions (> 5 ms) went:\n${JSON.stringify(attribution, null, 1)}\n`);
      }
      const result: ScenarioResult = { scenario: 'webhook', params: p, rows, details };
      await report(result, o);
      return result;
    } finally {
      agent.destroy();
      await reg.stop();
    }
  } finally {
    await spire?.close();
    await world.close();
  }
}

runIfMain(import.meta.url, async (argv) => {
  await webhook(parseArgs(argv, webhookDefaults), registrarNodeArgs());
});

// What one SPIRE Entry call leaves behind in the caller's heap, per transport (docs/adr/0008): a client
// process (run with --trace-gc-nvp) makes webhook mode's calls, a one-entry BatchCreateEntry then a
// BatchDeleteEntry by ID, at a fixed rate against the in-memory SPIRE server in a process of its own, and
// the harness counts the client's scavenges over the measured window: KiB allocated and promoted per call,
// scavenges per 1,000 calls, KiB copied and promoted per scavenge. No HTTPS server, no logging: only the
// client. Counts, not latencies, so a loaded machine still compares the two.
//   npm run bench:spire-client-gc -- [--calls=10000] [--rate=500]
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connectSpire } from '../adapters/spire/connect.js';
import { newEntry } from '../handlers/entries/entry.js';
import { parseArgs } from './lib/args.js';
import { type GcEvent, parseGcLine, summarizeGc } from './lib/gc-trace.js';
import { runIfMain } from './lib/main.js';
import { report, type Row, type ScenarioResult } from './lib/report.js';
import { startSpireProcess } from './lib/spire-process.js';
import type { RunOptions } from './cold-start.js';

export const spireClientGcDefaults = { calls: 10_000, rate: 500 };
const transports = ['grpc-js', 'http2'] as const;
const SELF = fileURLToPath(import.meta.url);

/** The client side: `--child <transport> <socket> <calls> <rate>`; prints START and END around the window. */
async function client(transport: 'grpc-js' | 'http2', socketPath: string, calls: number, rate: number): Promise<void> {
  const spire = await connectSpire({ serverAddress: `unix://${socketPath}`, trustDomain: 'example.org', transport, callTimeoutMs: 3_500 });
  let n = 0;
  const one = async () => {
    const i = n++;
    const entry = newEntry({ spiffeId: `spiffe://example.org/ns/bench/sa/p${i}`, parentId: 'spiffe://example.org/k8s-workload-registrar/k8stest/node', selectors: [{ type: 'k8s', value: `pod-uid:u${i}` }] });
    const [created] = await spire.entries.createEntries([entry]);
    await spire.entries.deleteEntries([created?.entry?.id ?? '']);
  };
  const paced = async (count: number) => {
    const started = performance.now();
    const all: Promise<void>[] = [];
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
        while (all.length < due) all.push(one());
        if (all.length >= count) {
          clearInterval(tick);
          resolve();
        }
      }, 1);
    });
    await Promise.all(all);
  };
  await paced(Math.min(2_000, calls));
  const profile = process.env.BENCH_ALLOC_PROFILE ? await startAllocationSampling() : undefined;
  process.stdout.write('START\n');
  await paced(calls / 2);
  process.stdout.write('END\n');
  if (profile) await writeFile(`${process.env.BENCH_ALLOC_PROFILE}.${transport}.heapprofile`, JSON.stringify(await profile()));
  await spire.close();
}

/**
 * BENCH_ALLOC_PROFILE=<file>: a sampling heap profile of everything the measured window allocated,
 * garbage included (`--heap-prof` keeps only what is still alive at exit); open it in DevTools.
 */
async function startAllocationSampling(): Promise<() => Promise<unknown>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async () => ((await post('HeapProfiler.stopSampling')) as { profile: unknown }).profile;
}

async function measure(transport: (typeof transports)[number], socketPath: string, p: typeof spireClientGcDefaults): Promise<Row> {
  const child = spawn(process.execPath, [...process.execArgv, '--trace-gc-nvp', SELF, '--child', transport, socketPath, String(p.calls), String(p.rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const events: GcEvent[] = [];
  let from = Number.NaN;
  let to = Number.NaN;
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line === 'START') from = performance.now();
      else if (line === 'END') to = performance.now();
      else {
        const e = parseGcLine(line, performance.now());
        if (e) events.push(e);
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || Number.isNaN(to)) throw new Error(`${transport} client exited ${code}`);
  // Each admission-like pair is two calls.
  const calls = p.calls;
  const gc = summarizeGc(events, from, to, calls);
  const promotedPerCall = (gc['KiB promoted per scavenge'] * gc.scavenges) / calls;
  return { transport, calls, ...gc, 'KiB promoted per unit': Math.round(promotedPerCall * 100) / 100 };
}

export async function spireClientGc(p: typeof spireClientGcDefaults, o: RunOptions = {}): Promise<ScenarioResult> {
  const dir = await mkdtemp(join(tmpdir(), 'spire-client-gc-'));
  const spire = await startSpireProcess(join(dir, 'api.sock'));
  try {
    const rows: Row[] = [];
    for (const t of transports) rows.push(await measure(t, spire.socketPath, p));
    const result: ScenarioResult = { scenario: 'spire-client-gc', params: p, rows };
    await report(result, o);
    return result;
  } finally {
    await spire.close();
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, async (argv) => {
  if (argv[0] === '--child') {
    await client(argv[1] as 'grpc-js' | 'http2', argv[2] as string, Number(argv[3]), Number(argv[4]));
    return;
  }
  await spireClientGc(parseArgs(argv, spireClientGcDefaults));
});

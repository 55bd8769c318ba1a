// What the slow admissions of a fixed-rate run overlapped. The harness records each request on the epoch
// clock (scheduled, sent, done); bench/lib/latency-probe.js, preloaded into the registrar, records its GC
// pauses, event-loop delay per second and each request's server-side time (matched by the x-bench-seq
// header); the harness records its own GC pauses and event-loop delay the same way (startProcessProbe).
// attributeLatency() splits every slow request's time into harness lateness, time before the registrar
// saw the request, the registrar's own time, and time after it answered, and counts which slow requests
// overlapped a GC pause of either process. Indicative, not causal: an overlap is where to look.
import { monitorEventLoopDelay, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { percentile, round } from './stats.js';

/** [epoch ms, duration ms, kind (1 minor/scavenge, 2 major, 4 incremental, 8 weak callbacks)] */
export type GcPause = readonly [number, number, number];
/** [epoch ms at the end of the second, p50, p99, max] event-loop delay in ms */
export type LoopSecond = readonly [number, number, number, number];
/** [sequence number, epoch ms of the 'request' event, ms until the response's 'finish'] */
export type ServedRequest = readonly [number, number, number];
export type ProbeData = { gc: GcPause[]; loop: LoopSecond[]; requests?: ServedRequest[] };

/** One request as the harness saw it, on the epoch clock. */
export type SentRequest = { seq: number; scheduled: number; sent: number; done: number; ok: boolean };

/** Records this process's GC pauses and event-loop delay per second, as latency-probe.js does. */
export function startProcessProbe(): { stop(): ProbeData } {
  const origin = performance.timeOrigin;
  const data: ProbeData = { gc: [], loop: [] };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) data.gc.push([origin + e.startTime, e.duration, (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0]);
  });
  observer.observe({ entryTypes: ['gc'] });
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const timer = setInterval(() => {
    data.loop.push([origin + performance.now(), eld.percentile(50) / 1e6, eld.percentile(99) / 1e6, eld.max / 1e6]);
    eld.reset();
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      eld.disable();
      observer.disconnect();
      return data;
    },
  };
}

export const now = (): number => performance.timeOrigin + performance.now();

type Split = { lag: number; before: number; served: number; after: number };

export type Attribution = {
  /** Requests sent, and how many of them the registrar's probe saw served (matched by sequence number). */
  requests: number;
  matched: number;
  /** Requests slower than `slowMs`, and how many of them the registrar's probe saw served. */
  slow: number;
  slowMs: number;
  /** Median over the slow requests of each part of their time (ms). */
  slowSplitP50: Split;
  /** The same parts at the 99th percentile over all requests (each part on its own). */
  allSplitP99: Split;
  /** Slow requests whose span overlapped a GC pause of the registrar / the harness (any kind, and scavenges). */
  overlapRegistrarGc: number;
  overlapRegistrarScavenge: number;
  overlapHarnessGc: number;
  /** With SPIRE in its own process (bench/lib/spire-process.ts): slow requests that overlapped its GC pauses. */
  overlapSpireGc?: number;
  spireGc?: { pauses: number; totalMs: number; maxMs: number; scavenges: number; scavengeP99Ms: number };
  /** GC in the window: pauses, total ms, longest ms, per process. */
  registrarGc: { pauses: number; totalMs: number; maxMs: number; scavenges: number; scavengeP99Ms: number };
  harnessGc: { pauses: number; totalMs: number; maxMs: number; scavenges: number; scavengeP99Ms: number };
  /** Event-loop delay in the window: worst per-second p99 and max (ms). */
  registrarLoop: { p99Max: number; max: number };
  harnessLoop: { p99Max: number; max: number };
};

export function attributeLatency(sent: readonly SentRequest[], registrar: ProbeData, harness: ProbeData, slowMs = 5, spire?: ProbeData): Attribution {
  const from = Math.min(...sent.map((r) => r.scheduled));
  const to = Math.max(...sent.map((r) => r.done));
  const served = new Map((registrar.requests ?? []).map(([seq, at, ms]) => [seq, { at, ms }]));
  const splits: (Split & { total: number; r: SentRequest })[] = sent.map((r) => {
    const s = served.get(r.seq);
    const lag = r.sent - r.scheduled;
    if (!s) return { lag, before: Number.NaN, served: Number.NaN, after: Number.NaN, total: r.done - r.scheduled, r };
    return { lag, before: s.at - r.sent, served: s.ms, after: r.done - (s.at + s.ms), total: r.done - r.scheduled, r };
  });
  const slow = splits.filter((x) => x.total > slowMs);
  const median = (xs: number[]) => round(percentile([...xs].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b), 50));
  const p99 = (xs: number[]) => round(percentile([...xs].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b), 99));
  const inWindow = (gc: readonly GcPause[]) => gc.filter(([at, ms]) => at + ms >= from && at <= to);
  const rGc = inWindow(registrar.gc);
  const hGc = inWindow(harness.gc);
  const overlaps = (gc: readonly GcPause[], r: SentRequest) => gc.some(([at, ms]) => at < r.done && at + ms > r.scheduled);
  const gcStats = (gc: readonly GcPause[]) => {
    const scavenges = gc.filter(([, , kind]) => kind === 1).map(([, ms]) => ms).sort((a, b) => a - b);
    return {
      pauses: gc.length,
      totalMs: round(gc.reduce((s, [, ms]) => s + ms, 0)),
      maxMs: round(Math.max(0, ...gc.map(([, ms]) => ms))),
      scavenges: scavenges.length,
      scavengeP99Ms: round(scavenges.length > 0 ? percentile(scavenges, 99) : 0),
    };
  };
  const loopStats = (loop: readonly LoopSecond[]) => {
    const w = loop.filter(([at]) => at >= from && at <= to + 1000);
    return { p99Max: round(Math.max(0, ...w.map((s) => s[2]))), max: round(Math.max(0, ...w.map((s) => s[3]))) };
  };
  return {
    requests: sent.length,
    matched: splits.filter((x) => !Number.isNaN(x.served)).length,
    slow: slow.length,
    slowMs,
    slowSplitP50: {
      lag: median(slow.map((x) => x.lag)),
      before: median(slow.map((x) => x.before)),
      served: median(slow.map((x) => x.served)),
      after: median(slow.map((x) => x.after)),
    },
    allSplitP99: {
      lag: p99(splits.map((x) => x.lag)),
      before: p99(splits.map((x) => x.before)),
      served: p99(splits.map((x) => x.served)),
      after: p99(splits.map((x) => x.after)),
    },
    overlapRegistrarGc: slow.filter((x) => overlaps(rGc, x.r)).length,
    overlapRegistrarScavenge: slow.filter((x) => overlaps(rGc.filter(([, , k]) => k === 1), x.r)).length,
    overlapHarnessGc: slow.filter((x) => overlaps(hGc, x.r)).length,
    ...(spire ? { overlapSpireGc: slow.filter((x) => overlaps(inWindow(spire.gc), x.r)).length, spireGc: gcStats(inWindow(spire.gc)) } : {}),
    registrarGc: gcStats(rGc),
    harnessGc: gcStats(hGc),
    registrarLoop: loopStats(registrar.loop),
    harnessLoop: loopStats(harness.loop),
  };
}

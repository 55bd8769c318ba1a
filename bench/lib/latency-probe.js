// A probe preloaded into a process under measurement (`node --import <this file>`), plain JavaScript so
// that the registrar runs without tsx. With BENCH_PROBE_OUT=<file> set it records, on the epoch clock
// (performance.timeOrigin + now, comparable across processes on one machine):
// - every GC pause (PerformanceObserver 'gc': start, duration, kind),
// - event-loop delay per second (monitorEventLoopDelay at 1 ms resolution: p50, p99, max),
// - every HTTP(S) request served: from the 'request' event (headers parsed) to the response's 'finish'
//   (last byte handed to the socket), with the harness's sequence number (header x-bench-seq),
// and writes them as JSON when the process exits. bench/webhook.ts joins this with its own per-request
// times (bench/lib/latency-attribution.ts) to say what the slowest admissions overlapped.
import { existsSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { Session } from 'node:inspector';
import http from 'node:http';
import https from 'node:https';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';

// BENCH_ALLOC_PROFILE=<file>: also a sampling heap profile of everything allocated from start to exit,
// garbage included (`--heap-prof` keeps only what is alive at the end), written as <file>.<pid>.heapprofile.
// Same-thread inspector sessions answer synchronously, so the profile can be taken in the exit handler.
const allocOut = process.env.BENCH_ALLOC_PROFILE;
if (allocOut) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  process.once('exit', () => {
    session.post('HeapProfiler.stopSampling', (err, res) => {
      if (!err) writeFileSync(`${allocOut}.${process.pid}.heapprofile`, JSON.stringify(res.profile));
    });
  });
}

const out = process.env.BENCH_PROBE_OUT;
if (out) {
  const origin = performance.timeOrigin;
  const gc = [];
  const loop = [];
  const requests = [];

  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc.push([origin + e.startTime, e.duration, e.detail?.kind ?? 0]);
  }).observe({ entryTypes: ['gc'] });

  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const perSecond = setInterval(() => {
    loop.push([origin + performance.now(), eld.percentile(50) / 1e6, eld.percentile(99) / 1e6, eld.max / 1e6]);
    eld.reset();
  }, 1000);
  perSecond.unref();

  // Server-side time of each request, without touching the application: both server classes emit
  // 'request' through EventEmitter's emit, which each prototype gets its own wrapper of.
  for (const Server of [http.Server, https.Server]) {
    const emit = Server.prototype.emit;
    Server.prototype.emit = function probeEmit(event, req, res) {
      if (event === 'request' && res) {
        const start = performance.now();
        const seq = Number(req.headers['x-bench-seq'] ?? -1);
        res.once('finish', () => requests.push([seq, origin + start, performance.now() - start]));
      }
      return emit.apply(this, arguments);
    };
  }

  process.once('exit', () => {
    // A worker thread inherits the preload (crd and webhook modes run in one: runtime/mode-thread/) and
    // ends before the main thread: the main thread, which then served nothing, keeps the thread's file.
    if (isMainThread && requests.length === 0 && existsSync(out)) return;
    writeFileSync(out, JSON.stringify({ pid: process.pid, origin, gc, loop, requests }));
  });
}

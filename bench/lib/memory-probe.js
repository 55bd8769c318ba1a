// A probe preloaded into a process under measurement (`node --import <this file>`), plain JavaScript so
// that the registrar runs without tsx. With BENCH_MEMORY_OUT=<file> set it samples, every
// BENCH_MEMORY_EVERY_MS (default 20) on the epoch clock: VmRSS, VmHWM, RssAnon and RssFile (/proc/self/status), every V8 heap
// space's used and committed size, external and ArrayBuffer memory; plus every GC (start, duration, kind).
// It writes them as JSON to <file>.<pid>.json when the process exits, so a peak can be lined up with the registrar's log lines
// (pino's `time`) and split into heap spaces and what lies outside the heap.
// BENCH_MEMORY_SNAPSHOT_MIB=<n>: writes one heap snapshot (next to BENCH_MEMORY_OUT) the first time VmRSS
// reaches n MiB; the snapshot itself costs memory, so the run's later figures are then not comparable.
// SIGUSR2 writes a heap snapshot on demand (main thread only: a worker thread gets no signals).
// A worker thread inherits the preload (crd mode runs in one: runtime/mode-thread/): its files are named
// <pid>-t<threadId>, and its V8 figures are its own isolate's; VmRSS and VmHWM are the whole process's.
import { readFileSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const out = process.env.BENCH_MEMORY_OUT;
if (out) {
  const origin = performance.timeOrigin;
  const id = isMainThread ? `${process.pid}` : `${process.pid}-t${threadId}`;
  const every = Number(process.env.BENCH_MEMORY_EVERY_MS ?? 20);
  const snapshotAt = Number(process.env.BENCH_MEMORY_SNAPSHOT_MIB ?? 0);
  const gc = [];
  const samples = [];
  let snapshotTaken = false;
  const mib = (n) => Math.round((n / 1048576) * 10) / 10;
  const status = () => {
    const text = readFileSync('/proc/self/status', 'utf8');
    const kb = (f) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / 1024;
    return [kb('VmRSS'), kb('VmHWM'), kb('RssAnon'), kb('RssFile')];
  };
  const snapshot = (why) => {
    const file = v8.writeHeapSnapshot(`${out}.${why}.${id}.heapsnapshot`);
    process.stderr.write(`memory-probe: wrote ${file}\n`);
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc.push([Math.round(origin + e.startTime), Math.round(e.duration * 10) / 10, e.detail?.kind ?? 0]);
  }).observe({ entryTypes: ['gc'] });
  const sample = () => {
    const [rss, hwm, anon, file] = status();
    const spaces = {};
    for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = [mib(s.space_used_size), mib(s.space_size)];
    const m = process.memoryUsage();
    samples.push({ t: Math.round(origin + performance.now()), rss, hwm, anon, file, spaces, external: mib(m.external), arrayBuffers: mib(m.arrayBuffers) });
    if (snapshotAt > 0 && !snapshotTaken && rss >= snapshotAt) {
      snapshotTaken = true;
      snapshot(`at${snapshotAt}`);
    }
  };
  setInterval(sample, every).unref();
  if (isMainThread) process.on('SIGUSR2', () => snapshot(`sig${Date.now()}`));
  process.once('exit', () => {
    sample();
    writeFileSync(`${out}.${id}.json`, JSON.stringify({ pid: process.pid, threadId, gc, samples }));
    writeFileSync(`${out}.${id}.smaps`, readFileSync('/proc/self/smaps', 'utf8'));
  });
}

// Reconcile and crd modes: the registrar's live heap is small (~55-65 MiB at 10,000 pods) but it allocates steadily (watch events,
// list pages on every resync), and V8's default lets the heap grow to about 4x the live size before a
// major GC, so peak RSS under churn was ~360 MiB. Growing by at most 50% between major GCs keeps it near
// 240 MiB at the same latency and less CPU (bench/README.md). Crd mode grows by at most 25%: its passes
// hold more for longer (a cold start's first pass holds every SpiffeID it created, their entries and
// statuses, ~90 MB live at 10,500 SpiffeIDs), and the full pass that follows allocates ~30 MB in one
// synchronous run on top of whatever limit that pass left; at 50% that put its peak RSS at ~280 MiB, at
// 25% ~240 MiB at the same CPU (bench/README.md, "crd peak RSS"). This tunes when V8 collects; it caps
// nothing, so a large cluster cannot run out of memory because of it. Node refuses the flag in
// NODE_OPTIONS, hence set here, before the registrar allocates. See docs/adr/0005-heap-growth.md.
import { setFlagsFromString } from 'node:v8';

/** V8's --heap-growing-percent per controller mode. */
export const HEAP_GROWING_PERCENT: Readonly<Record<string, number>> = { reconcile: 50, crd: 25 };

/**
 * Webhook mode without webhook_resync keeps no caches: its live heap is ~16-17 MB (mostly code, once the
 * Kubernetes client is no longer loaded), and at 500 admissions/s it promotes ~3.5 KiB per admission
 * (each SPIRE call's http2 stream outlives the next scavenge). Under V8's default the old generation's
 * limit is a dynamic factor of the live size that swings with how busy the machine looks: ~1.3x in most
 * runs (a full GC every ~3 s, each one a burst of admissions over 5 ms), ~4x in one run of five (peak RSS
 * 205-208 MiB). A fixed 200% gives a full GC every ~10-15 s at 163-164 MiB in every run
 * (bench/README.md, "webhook tail, fourth round"). With webhook_resync it holds the pods informer and every
 * upkeep pass lists and plans every pod entry (~20 MB promoted per pass at 10,000 pods): there it is
 * tuned like reconcile mode (171-172 MiB against 211-214 MiB under the default, "webhook RSS").
 */
export const WEBHOOK_ADMISSIONS_HEAP_GROWING_PERCENT = 200;

/** @returns the percent to set, or undefined to keep V8's default */
export function heapGrowingPercent(config: { readonly mode: string; readonly webhookResync?: boolean }): number | undefined {
  if (config.mode === 'webhook') return config.webhookResync === true ? HEAP_GROWING_PERCENT['reconcile'] : WEBHOOK_ADMISSIONS_HEAP_GROWING_PERCENT;
  return HEAP_GROWING_PERCENT[config.mode];
}

export function tuneHeapGrowth(config: { readonly mode: string; readonly webhookResync?: boolean }): void {
  const percent = heapGrowingPercent(config);
  if (percent !== undefined) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * The young generation a mode runs with, in Node's `resourceLimits.maxYoungGenerationSizeMb` (three
 * semi-spaces: 6 is two 2 MiB semi-spaces). V8 sizes the young generation only when an isolate is made,
 * so a process cannot shrink its own after start-up; runtime/run.ts runs such a mode in a worker thread
 * made with this limit (runtime/mode-thread/), which costs ~8 MiB for the second isolate.
 * Crd mode: a cold start at 10,500 SpiffeIDs keeps enough alive across scavenges to grow V8's default
 * young generation to its 32 MiB maximum and hold it there. In its own thread with 2 MiB semi-spaces its
 * cold-start peak RSS went from 257 to 222-229 MiB and its CPU from 9.2 to 7.6-8.2 s (bench/README.md,
 * "crd young generation, fifth round").
 * Webhook mode: every SPIRE call's http2 stream outlives the next scavenge, so what a scavenge copies, and
 * how long it stops the admissions, grows with the young generation; with 4 MiB semi-spaces admission p99
 * at 500/s was 4.51-4.64 ms against 4.93-5.28 ms on V8's default 16, interleaved on a quiet machine
 * (same section). Reconcile mode meets its targets on the default.
 */
export const YOUNG_GENERATION_MIB: Readonly<Record<string, number>> = { crd: 6, webhook: 12 };

/** @returns the young generation to run the mode with, or undefined to run it on the main thread with V8's default */
export function modeYoungGenerationMiB(config: { readonly mode: string }): number | undefined {
  return YOUNG_GENERATION_MIB[config.mode];
}

/**
 * V8 flags a mode's thread is made with, set just before the thread starts (V8's flags are process-wide).
 * Crd mode:
 * - `--no-concurrent-recompilation`: TurboFan compiles on the registrar's thread instead of V8's background
 *   threads. Each of those kept the memory of its largest compile jobs in a malloc arena of its own; on the
 *   registrar's thread the jobs reuse one. At 10,500 SpiffeIDs the cold-start peak went from 195-197 to
 *   188-191 MiB, restart 164-165 to 153-157, at the same CPU (bench/README.md, "crd young generation, fifth
 *   round"). V8 reads it when an isolate is made, so the main thread's isolate, made earlier, keeps
 *   compiling in the background. A compile job then holds the pass while it runs.
 * - `--max-optimized-bytecode-size=3000`: the two functions that run once per pass, 4.7 and 6.3 KB of
 *   bytecode (planSpiffeIdEntries, crd-pass.ts's planAndWrite), are left to the baseline compiler. Each
 *   pass hands them objects and arrays of shapes their last optimization had not seen, so under churn they
 *   were deoptimized and compiled again every few seconds; with the flag above each compile held the pass
 *   50-110 ms, and churn p99 went from 75-88 to 163-204 ms. The functions they call are small and are still
 *   optimized. V8 reads this one at every tier-up decision, so it holds for the main thread too, which
 *   runs nothing that large. Churn p99 92-101 ms, cold start the same (bench/README.md, "crd, sixth round").
 */
export const MODE_THREAD_V8_FLAGS: Readonly<Record<string, readonly string[]>> = {
  crd: ['--no-concurrent-recompilation', '--max-optimized-bytecode-size=3000'],
};

export function tuneModeThread(config: { readonly mode: string }): void {
  for (const flag of MODE_THREAD_V8_FLAGS[config.mode] ?? []) setFlagsFromString(flag);
}

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

/** V8's --heap-growing-percent per mode; webhook mode keeps V8's default. */
export const HEAP_GROWING_PERCENT: Readonly<Record<string, number>> = { reconcile: 50, crd: 25 };

/**
 * Webhook mode keeps no caches and met the RSS target without tuning, while the tuning's extra major GCs
 * lengthened its admission latency tail (p99 at 500/s ~10-12 -> ~13.6 ms), so it is left at V8's default.
 */
export function tunesHeapGrowth(mode: string): boolean {
  return HEAP_GROWING_PERCENT[mode] !== undefined;
}

export function tuneHeapGrowth(mode: string): void {
  const percent = HEAP_GROWING_PERCENT[mode];
  if (percent !== undefined) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

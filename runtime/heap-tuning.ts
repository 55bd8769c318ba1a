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
 * Webhook mode without webhook_resync keeps no caches; there the tuning's extra major GCs weigh on the
 * admission latency tail (4 -> 17 major GCs in 15,000 admissions at 500/s), so it keeps V8's default and
 * its peak RSS stays at ~205-219 MiB. With webhook_resync it holds the pods informer and every upkeep pass
 * lists and plans every pod entry (~20 MB promoted per pass at 10,000 pods): under the default growth the
 * old generation piled up five passes before a major GC, 211-214 MiB peak against 171-172 MiB tuned
 * (bench/README.md, "webhook RSS"), so that configuration is tuned like reconcile mode.
 * @returns the percent to set, or undefined to keep V8's default
 */
export function heapGrowingPercent(config: { readonly mode: string; readonly webhookResync?: boolean }): number | undefined {
  if (config.mode === 'webhook') return config.webhookResync === true ? HEAP_GROWING_PERCENT['reconcile'] : undefined;
  return HEAP_GROWING_PERCENT[config.mode];
}

export function tuneHeapGrowth(config: { readonly mode: string; readonly webhookResync?: boolean }): void {
  const percent = heapGrowingPercent(config);
  if (percent !== undefined) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

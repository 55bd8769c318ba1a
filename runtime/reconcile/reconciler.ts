// The reconcile-mode pass (STYLE.md 2.3): snapshot -> declared -> owned entries -> diff -> apply -> log.
// A full pass lists SPIRE once and rebuilds the owned index; it runs at start (after the informers
// synced), every resync interval, and whenever the index may be stale. In between, events only mark
// objects dirty and a pass reconciles just those against the index: no ListEntries per pod, and the
// writes of many events coalesce into batched calls. While a full pass lists SPIRE, the objects events
// mark dirty are reconciled against the index meanwhile (`eventsReady`), so an event does not wait for the
// whole listing (200–400 ms at 10,000 entries: under churn, that wait was the p99).
import type { Logger } from 'pino';
import { diffEntries, type EntryPlan } from '../../handlers/entries/diff-entries.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { type Ownership, reconcileOwnership } from '../../handlers/entries/ownership.js';
import type { EndpointSlice } from '../../handlers/k8s/endpoint-slice.js';
import type { Node } from '../../handlers/k8s/node.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import { nodeEntries, nodeRootId, type RenderIssue } from '../../handlers/node-reconcile/node-entries.js';
import { podEntries, type PodEntriesConfig } from '../../handlers/pod-reconcile/pod-entries.js';
import { podNoIdentityEvent, type RegistrarEvent } from '../../handlers/events/registrar-event.js';
import type { EntryStore } from '../../adapters/entry-store.js';
import { type Clock, systemClock } from '../clock.js';
import type { RegistrarMetrics } from '../observability/metrics.js';
import { applyPlan, type ApplyCounts } from './apply-plan.js';
import { fullPlan } from './full-plan.js';
import { type IndexReload, OwnedIndex } from './owned-index.js';

/** Read access to the informer caches (already parsed). */
export type ClusterView = {
  nodes(): readonly Node[];
  pods(): readonly Pod[];
  endpointSlices(): readonly EndpointSlice[];
  node(name: string): Node | undefined;
  pod(namespace: string, name: string): Pod | undefined;
};

export type ReconcilerOptions = {
  readonly store: EntryStore;
  readonly view: ClusterView;
  readonly config: PodEntriesConfig;
  readonly log: Logger;
  /** A full pass is due once this long has passed since the last one. */
  readonly resyncIntervalMs: number;
  readonly metrics?: RegistrarMetrics;
  readonly clock?: Clock;
  /** Records a Kubernetes Event (runtime/events/event-recorder.ts): a Warning on a pod that gets no entry. */
  readonly recordEvent?: (e: RegistrarEvent) => void;
};

export type Reconciler = {
  /** Marks one object (`node/<name>`, `pod/<ns>/<name>`) for the next pass. */
  markDirty(object: string): void;
  /**
   * A burst of events has been marked: a full pass waiting on its SPIRE listing reconciles the dirty
   * objects now, against the index, instead of after the listing. Otherwise nothing (the next pass does).
   */
  eventsReady(): void;
  /**
   * Starts the first full pass's SPIRE listing now, while the informers still list the cluster; the pass
   * (`runPass`, after the caches synced) takes it over. Only where that pass follows at once (no leader
   * election): a listing that waited for a lease could be stale by the time it is used.
   */
  prefetch(signal?: AbortSignal): void;
  /** Runs a full pass when one is due (or forced), else reconciles the dirty objects. */
  runPass(opts?: { full?: boolean; signal?: AbortSignal }): Promise<void>;
  /** Milliseconds until a full pass is due (0 = due now). */
  msUntilFullPass(): number;
  readonly index: OwnedIndex;
};

export function createReconciler(opts: ReconcilerOptions): Reconciler {
  const { store, view, config, log } = opts;
  const clock = opts.clock ?? systemClock;
  const own = reconcileOwnership(nodeRootId(config), config.cluster);
  const index = new OwnedIndex(own);
  let dirty = new Set<string>();
  let lastFull = Number.NEGATIVE_INFINITY;
  let reported = new Map<string, string>();

  const reportIssues = (issues: readonly RenderIssue[], objects?: ReadonlySet<string>) => {
    const next = new Map(objects ? [...reported].filter(([o]) => !objects.has(o)) : []);
    for (const i of issues) {
      if (reported.get(i.object) !== i.reason) {
        log.warn({ object: i.object, reason: i.reason }, 'Cannot render entry');
        const [kind, ns, name] = i.object.split('/');
        const pod = kind === 'pod' && ns !== undefined && name !== undefined ? view.pod(ns, name) : undefined;
        if (pod) opts.recordEvent?.(podNoIdentityEvent(pod, i.reason));
      }
      next.set(i.object, i.reason);
    }
    reported = next;
  };

  // Rendered afresh on every pass, deliberately not cached per informer object: a cache of 10^4 declared
  // entries costs ~10 MB of live heap (more than the pod projections), and V8 lets the old generation
  // grow to a multiple of the live heap, so it raised the peak more than the per-resync garbage it saved.
  // EndpointSlices (pod DNS names) are read once per pass: a full pass renders 2,000 objects at a time,
  // and each read copies the informer's whole list. Slices of nodes alone need none.
  const endpointSlices = () => (config.addPodDnsNames ? view.endpointSlices() : []);
  const render = (nodes: readonly Node[], pods: readonly Pod[], slices: () => readonly EndpointSlice[] = endpointSlices) => {
    const n = nodeEntries(nodes, config);
    if (pods.length === 0) return n;
    const p = podEntries(pods, slices(), config);
    return { declared: [...n.declared, ...p.declared], issues: [...n.issues, ...p.issues] };
  };

  let wakeListing: (() => void) | undefined;

  type Listing = {
    readonly reload: IndexReload;
    readonly done: Promise<{ last: readonly Entry[] } | { cause: unknown }>;
    readonly stop: AbortController;
    /** Adds a page to the reload, counting it. */
    readonly add: (page: readonly Entry[]) => void;
    readonly count: () => number;
  };
  let prefetched: Listing | undefined;

  // Pages go straight into the index (foreign entries dropped, unchanged ones kept as held): no copy of
  // the whole listing lives across the ListEntries round trips.
  function startListing(signal?: AbortSignal): Listing {
    const reload = index.reload();
    let listed = 0;
    const add = (page: readonly Entry[]) => {
      listed += page.length;
      reload.add(page);
    };
    const stop = new AbortController();
    const listSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    const done = store.listEntries(undefined, { signal: listSignal, onPage: add }).then(
      (last) => ({ last }),
      (cause: unknown) => ({ cause }),
    );
    return { reload, done, stop, add, count: () => listed };
  }

  async function fullPass(signal?: AbortSignal) {
    let listing = prefetched ?? startListing(signal);
    let retried = prefetched === undefined;
    prefetched = undefined;
    try {
      for (;;) {
        const woken = new Promise<undefined>((resolve) => (wakeListing = () => resolve(undefined)));
        const done = await Promise.race([listing.done, woken]);
        if (done && 'cause' in done) {
          if (!retried) {
            // The listing started early failed (SPIRE not up yet, say): this pass lists afresh.
            retried = true;
            listing.reload.abandon();
            listing = startListing(signal);
            continue;
          }
          throw new Error('list entries', { cause: done.cause });
        }
        if (done) {
          listing.add(done.last);
          break;
        }
        // Events meanwhile: the index is current (kept from write results), and the reload replays these
        // writes onto the listing at commit. Only while the index is known to be right (a periodic
        // resync): a first or recovery listing runs because it may be wrong, and a pass planned from it
        // could undo the server's state.
        if (index.loaded && dirty.size > 0) await applyAndLog(keysPass(), clock.now(), signal);
      }
    } catch (err) {
      listing.stop.abort();
      listing.reload.abandon();
      throw err;
    } finally {
      wakeListing = undefined;
    }
    dirty = new Set(); // the render below covers every object
    listing.reload.commit();
    lastFull = clock.now();
    // The index already knows each held entry's object: the diff need not parse their IDs again.
    const known: Ownership = { objectOf: (e) => index.heldObjectOf(e) ?? own.objectOf(e) };
    // A slice of objects at a time (full-plan.ts): the whole cluster's rendered entries and keys are
    // never alive together.
    let slices: readonly EndpointSlice[] | undefined;
    const passSlices = () => (slices ??= endpointSlices());
    const { plan, issues, declared } = fullPlan({
      nodes: view.nodes(), pods: view.pods(), render: (n, p) => render(n, p, passSlices), own: known,
      entriesOf: (o) => index.entriesOf(o), heldObjects: () => index.objects(), heldObjectCount: index.objectCount,
    });
    reportIssues(issues);
    return { plan, declared, listed: listing.count() };
  }

  function keysPass() {
    const objects = dirty;
    dirty = new Set();
    const nodes: Node[] = [];
    const pods: Pod[] = [];
    for (const object of objects) {
      const [kind, a, b] = object.split('/');
      if (kind === 'node' && a !== undefined) {
        const node = view.node(a);
        if (node) nodes.push(node);
      } else if (kind === 'pod' && a !== undefined && b !== undefined) {
        const pod = view.pod(a, b);
        if (pod) pods.push(pod);
      }
    }
    const { declared, issues } = render(nodes, pods);
    reportIssues(issues, objects);
    // Entries of one object share its selectors, so this slice of the diff is the full diff restricted
    // to these objects; a similar entry the index missed comes back as ALREADY_EXISTS and is adopted.
    const current = [...objects].flatMap((o) => index.entriesOf(o));
    return { plan: diffEntries(declared, current, own), summary: { full: false, objects: objects.size, declared: declared.length } };
  }

  async function runPass(o: { full?: boolean; signal?: AbortSignal } = {}) {
    const at = clock.now();
    const full = o.full || !index.loaded || at - lastFull >= opts.resyncIntervalMs;
    if (!full && dirty.size === 0) return;
    const before = dirty;
    try {
      if (full) {
        const r = await fullPass(o.signal);
        await applyAndLog({ plan: r.plan, summary: { full: true, listed: r.listed, declared: r.declared } }, at, o.signal);
      } else {
        await applyAndLog(keysPass(), at, o.signal);
      }
    } catch (err) {
      for (const k of before) dirty.add(k);
      record(undefined, 'error', at);
      throw err;
    }
  }

  /** Applies a pass's plan, records and logs it; throws when an entry write failed (the caller records the error). */
  async function applyAndLog(pass: { plan: EntryPlan; summary: Record<string, unknown> }, at: number, signal?: AbortSignal) {
    const { plan, summary } = pass;
    const counts = await applyPlan(plan, { store, index, log, ...(signal ? { signal } : {}) });
    record(counts, counts.failed > 0 ? undefined : 'success', at);
    const changed = counts.created + counts.updated + counts.deleted + counts.failed + plan.masked.length > 0;
    const line = { ...summary, ...counts, masked: plan.masked.length, durationMs: clock.now() - at };
    if (changed) log.info(line, 'Reconciled entries');
    else log.debug(line, 'Reconciled entries');
    if (counts.failed > 0) {
      // Which objects failed is in the log; list again on the retry rather than guess.
      index.invalidate();
      throw new Error(`${counts.failed} entry writes failed`);
    }
  }

  function record(counts: ApplyCounts | undefined, result: 'success' | 'error' | undefined, started: number) {
    const m = opts.metrics;
    if (!m) return;
    if (counts) {
      m.entriesCreated.inc(counts.created);
      m.entriesUpdated.inc(counts.updated);
      m.entriesDeleted.inc(counts.deleted);
    }
    if (result) m.reconcileDuration.observe({ controller: 'reconcile', result }, (clock.now() - started) / 1000);
  }

  return {
    markDirty(object) {
      dirty.add(object);
    },
    eventsReady() {
      wakeListing?.();
    },
    prefetch(signal) {
      if (prefetched || index.loaded) return;
      prefetched = startListing(signal);
    },
    runPass,
    msUntilFullPass: () => Math.max(0, lastFull + opts.resyncIntervalMs - clock.now()),
    index,
  };
}

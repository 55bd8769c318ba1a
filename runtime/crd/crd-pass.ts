// One crd-mode pass, level-based: (1) the node/pod/endpoints controllers' declared SpiffeIDs are
// diffed against the SpiffeIDs that exist and written through the SpiffeIdWriter; (2) every SpiffeID is
// diffed against SPIRE's entries (CrdEntries: listed at start and on resync, kept current from this
// pass's write results in between) and the plan applied: finalizers added, entries deleted,
// created and updated in batches, statuses written, finalizers released. Step 2 plans from the informer's
// SpiffeIDs plus those step 1 just created (as the API server returned them), so a new pod's entry is
// written in the pass that creates its SpiffeID, and those step 1 took over as it left them (taken-over.ts).
// Our own writes come back as informer events and trigger the next pass, which converges; a resync
// catches anything missed. Between full passes a pass plans only the slice of the cluster that the
// objects events changed reach (crd-slice.ts), with the same planners: see `changes` below.
// API writes of one step run `concurrency` at a time; each is handled on its own (a failure is logged,
// the others go on, and the pass fails at the end so the trigger retries). The steps stay in order, so a
// finalizer is released only after the entry deletes of this pass succeeded. SpiffeIDs the pass creates
// carry the finalizer from the start; writes to existing ones carry the informer's resourceVersion.
import type { Logger } from 'pino';
import type { EntryMask, EntryStore } from '../../adapters/entry-store.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { entryChangedEvent, podNoIdentityEvent, spiffeIdProblemEvent, spiffeIdRef, type EntryChange, type RegistrarEvent } from '../../handlers/events/registrar-event.js';
import { declaredSpiffeIds, type ClusterView, type CrdControllersConfig } from '../../handlers/crd-pod/declared-spiffeids.js';
import { declaredKey, planDeclaredSpiffeIds } from '../../handlers/spiffeid/plan-declared.js';
import { withDeclaredSpecs } from '../../handlers/spiffeid/registrar-declared.js';
import { withCreated } from '../../handlers/spiffeid/with-created.js';
import { SPIFFEID_FINALIZER, spiffeIdKey, type SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import { takenOverStatus, type DesiredStatus } from '../../handlers/spiffeid-reconcile/status.js';
import { asTakenOver, withTakenOver } from '../../handlers/spiffeid-reconcile/taken-over.js';
import {
  planSpiffeIdEntries,
  type SpiffeIdPlanConfig,
  type SpiffeIdRef,
} from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import type { CrdTemplates } from '../../handlers/templates/crd-templates.js';
import type { Clock } from '../clock.js';
import { LogField } from '../log-fields.js';
import { forEachLimit } from '../for-each-limit.js';
import type { RegistrarMetrics } from '../observability/metrics.js';
import { CrdEntries } from './crd-entries.js';
import { createCrdPlanCache } from './crd-plan-cache.js';
import { CrdSliceIndex, type CrdChanges, type CrdSlice } from './crd-slice.js';
import { tookCreate, tookDelete, tookUpdate } from './entry-write-results.js';
import { WrittenFrom, type GuardedWrite } from './written-from.js';
import { migrateLegacyEntries } from './migrate-legacy-entries.js';
import type { ObservedSpiffeId, SpiffeIdWriter } from './spiffeid-writer.js';

export type CrdPassDeps = {
  readonly store: EntryStore;
  readonly writer: SpiffeIdWriter;
  readonly snapshot: () => ClusterView & { readonly spiffeIds: readonly SpiffeId[] };
  readonly config: CrdControllersConfig & SpiffeIdPlanConfig;
  readonly templates: CrdTemplates;
  readonly log: Logger;
  readonly clock: Clock;
  readonly metrics?: RegistrarMetrics;
  /** SPIRE's entries as this registrar knows them; default: listed afresh on every pass. */
  readonly entries?: CrdEntries;
  /** API writes in flight at a time within one step of a pass; default 16. */
  readonly concurrency?: number;
  /** Records a Kubernetes Event (runtime/events/event-recorder.ts); default: none. */
  readonly recordEvent?: (e: RegistrarEvent) => void;
  /**
   * How long a SpiffeID this registrar created stays in the pass's view while the informer has not shown it
   * yet (the watch lags our own write); default 10 s, the default resync interval. After that, one the
   * informer never showed is taken as gone (created and deleted between two snapshots).
   */
  readonly createdVisibleWithinMs?: number;
  /**
   * The objects informer events changed since the last pass (crd-slice.ts). With it, a pass between full
   * passes plans only the closed slice of what changed; without it every pass is full.
   */
  readonly changes?: CrdChanges;
  /** A slice reaching more than this share of the cluster's objects makes the pass full; default 0.25. */
  readonly sliceShare?: number;
  /** SpiffeIDs one pass creates at most; default DECLARED_CREATES_PER_PASS. */
  readonly createsPerPass?: number;
  /** Asks for another pass right after this one: it left SpiffeIDs to create (createsPerPass). */
  readonly again?: () => void;
};

export const DEFAULT_CRD_WRITE_CONCURRENCY = 16;

/** Created SpiffeIDs held by a pass from which it checks, before its status writes, which the watch shows. */
const FORGET_SHOWN_FROM = 1_000;

/**
 * SpiffeIDs one pass creates at most; the rest are the next pass's, which follows at once. What a pass
 * holds while it writes grows with what it creates (the SpiffeIDs as stored, their entries, SPIRE's
 * answers, the queued status writes), and at a cold start that is every SpiffeID of the cluster: in
 * passes of this size the cold start's peak is that of a few thousand (bench/README.md, "crd young
 * generation"), at the cost of one more full or sliced plan per thousand.
 */
export const DECLARED_CREATES_PER_PASS = 1_000;

/** Entry creates per store call within a pass: 20 of the SPIRE store's batches of 50. */
const CREATE_CHUNK = 1_000;

/** Only the fields a SpiffeID controls are written, so TTLs, admin, hint etc. set in SPIRE survive. */
const writableMask: EntryMask = { spiffeId: true, parentId: true, selectors: true, dnsNames: true, federatesWith: true, downstream: true };

export function createCrdPass(deps: CrdPassDeps): (signal: AbortSignal) => Promise<void> {
  const { store, writer, log, config } = deps;
  const limit = deps.concurrency ?? DEFAULT_CRD_WRITE_CONCURRENCY;
  const known = deps.entries ?? new CrdEntries({ store, clock: deps.clock, resyncIntervalMs: 0 });
  /** A whole SPIRE call failed: which writes happened is unknown, so the next pass lists again. */
  const unknownOutcome = (err: unknown): never => {
    known.invalidate();
    throw err;
  };
  const recordEvent = deps.recordEvent ?? (() => {});
  // Object UID -> the problem last reported for it: a Warning is recorded when an object's problem appears
  // or changes, not on every pass (nor again while the informer has not yet seen the status we wrote).
  let reportedPods = new Map<string, string>();
  let reportedSpiffeIds = new Map<string, string>();
  // namespace/name -> a SpiffeID this registrar created (as the API server stored it) and when, kept until
  // the informer shows that name: a pass that starts before the watch brought our create back must neither
  // create it again nor take its entry, made one pass earlier, for an orphan and delete it.
  const createdUnseen = new Map<string, { readonly stored: SpiffeId; readonly at: number }>();
  const createdVisibleWithinMs = deps.createdVisibleWithinMs ?? 10_000;
  /** Drops what the informer now shows, and what it never showed within the window. */
  const forgetShown = (shown: readonly SpiffeId[], now: number) => {
    if (createdUnseen.size === 0) return;
    for (const s of shown) createdUnseen.delete(cache.key(s));
    for (const [k, c] of createdUnseen) if (now - c.at >= createdVisibleWithinMs) createdUnseen.delete(k);
  };
  // Per-object planning work, computed once per object version (crd-plan-cache.ts): with it a pass costs
  // what changed, not what the cluster holds.
  const cache = createCrdPlanCache(config, deps.templates);
  // Sliced passes (crd-slice.ts): the lookups the closure needs, kept from events and checked against the
  // snapshot of every full pass (indexed afresh where they differ). A full pass runs first, after any failed pass, when SPIRE must be listed or a listing taken over
  // (a resync, an invalidate()), and whenever the slice is not known exactly or is large.
  const index = deps.changes ? new CrdSliceIndex(config, cache) : undefined;
  // Its entry-key lookup shares the plan's memo of entry keys.
  if (index) known.keyedBy(cache.spiffeIds.entryKey);
  let fullNext = true;
  // Status and finalizer writes made from a copy the informer may still show (written-from.ts).
  const written = new WrittenFrom();
  const sliceShare = deps.sliceShare ?? 0.25;
  const createsPerPass = deps.createsPerPass ?? DECLARED_CREATES_PER_PASS;
  /** Owners of declared SpiffeIDs left for later passes, oldest first (createsPerPass). */
  let waiting: OwnerMark[] = [];
  /** namespace/name of declared SpiffeIDs whose last create failed: they go after the others. */
  let failingCreates = new Set<string>();
  // Steps 0 to 2 up to the SPIRE writes; returns the API writes that follow them. Its own function so that
  // what it planned (the cluster's view, the plans, SPIRE's answers, the SpiffeIDs it created and the memo
  // records keyed by them) is garbage once it returns, not held through the status writes: at 10,500
  // SpiffeIDs those writes take seconds, and what is live then sets the heap limit the next pass runs on.
  const planAndWrite = async (signal: AbortSignal, started: number, attempt: Attempt, fail: () => void): Promise<Planned> => {
    // 0. Full or sliced. The changes are read and the snapshot taken in one synchronous run: an event is
    // either in both or marks the next pass.
    let slice: CrdSlice | undefined;
    const changes = index && deps.changes ? deps.changes.take() : undefined;
    if (index && changes) {
      if (changes === 'overflow') index.invalidate();
      else {
        // The watch brought versions of SpiffeIDs back, most of them our own writes' (written-from.ts).
        for (const c of changes) if (c.resource === 'spiffeids') written.settle(c.key, c.now as SpiffeId | undefined);
        try {
          index.applyAll(changes);
        } catch (err) {
          // Never a slice from lookups left half updated: this pass is full and indexes afresh.
          index.invalidate();
          log.error({ err }, 'Could not index the changed objects; planning the whole cluster');
        }
      }
      if (!fullNext && !known.needsFullPass()) {
        const unseen = new Map(Array.from(createdUnseen, ([k, c]) => [k, c.stored] as const));
        // Each object is up to five units (owner, name, key, entry, UID).
        slice = index.slice(known, unseen, Math.max(256, Math.floor(5 * sliceShare * index.size)));
      }
    }
    fullNext = true;
    const view = slice ? slice.view : deps.snapshot();
    if (!slice) {
      index?.sync(view);
      written.clear();
    }
    const inSlice = slice ? (uid: string) => (slice as CrdSlice).uids.has(uid) : () => true;

    // 1. SpiffeIDs declared by the node, pod and endpoints controllers.
    forgetShown(view.spiffeIds, started);
    const existing = withCreated(view.spiffeIds, Array.from(createdUnseen.values(), (c) => c.stored), cache.key);
    // A slice's view holds every EndpointSlice; their service DNS names are the index's, not computed again.
    const declared = slice
      ? declaredSpiffeIds(view, config, deps.templates, cache.controllers, index ? { svcNames: index.serviceNames } : undefined)
      : declaredSpiffeIds(view, config, deps.templates, cache.controllers);
    for (const bad of declared.invalid) {
      log.debug({ kind: bad.kind, [LogField.namespace]: bad.namespace, [LogField.name]: bad.name, reason: bad.reason }, 'No SpiffeID declared for an object');
    }
    const invalidPods = new Set(declared.invalid.flatMap((bad) => (bad.kind === 'Pod' ? [`${bad.namespace}/${bad.name}`] : [])));
    const podsByName = new Map(invalidPods.size === 0 ? [] : view.pods.flatMap((p) => {
      const k = `${p.metadata.namespace}/${p.metadata.name}`;
      return invalidPods.has(k) ? [[k, p] as const] : [];
    }));
    reportedPods = reportTransitions(
      declared.invalid.flatMap((bad) => {
        const pod = bad.kind === 'Pod' ? podsByName.get(`${bad.namespace}/${bad.name}`) : undefined;
        return pod ? [{ uid: pod.metadata.uid, problem: bad.reason, event: () => podNoIdentityEvent(pod, bad.reason) }] : [];
      }),
      reportedPods,
      recordEvent,
      inSlice,
    );
    const dplan = planDeclaredSpiffeIds(declared.declared, existing, declared.liveOwnerUids, cache.declared);
    // Creates that failed before go last, the longest-failed first among them, so that a thousand that keep
    // failing (a terminating namespace, a quota) never hold back the rest of the cluster, nor one that
    // failed once behind them; what is no longer declared is forgotten by a full pass.
    let ordered = dplan.create;
    if (failingCreates.size > 0) {
      const byKey = new Map(dplan.create.map((d) => [declaredKey(d), d] as const));
      ordered = [...dplan.create.filter((d) => !failingCreates.has(declaredKey(d))), ...[...failingCreates].flatMap((k) => byKey.get(k) ?? [])];
      if (!slice) failingCreates = new Set([...failingCreates].filter((k) => byKey.has(k)));
    }
    const creates = ordered.length > createsPerPass ? ordered.slice(0, createsPerPass) : ordered;
    const deferred = ordered.length - creates.length;
    // The rest wait for the passes that follow (a full pass knows them all; a sliced one only its own).
    const left = ordered.slice(creates.length).map(ownerMark);
    waiting = slice ? [...left, ...waiting] : left;
    const justCreated: SpiffeId[] = [];
    /** Hand-made SpiffeIDs taken over above, as the take-over left them (taken-over.ts). */
    const takenOver: SpiffeId[] = [];
    // The four lists name distinct SpiffeIDs, so their writes share one pool (no step waits for the
    // slowest write of the one before).
    const declaredWrites: (() => Promise<void>)[] = [
      ...creates.map((d) => async () => {
        const ok = await attempt('Failed to create SpiffeID', refFields(d), async () => {
          const stored = await writer.create(d, [SPIFFEID_FINALIZER]);
          failingCreates.delete(declaredKey(d));
          if (stored) {
            justCreated.push(stored);
            // A copy: the memo records keyed by `stored` (its view, facts, status compare) go with this
            // pass; a later pass plans the copy only while the watch lags.
            createdUnseen.set(spiffeIdKey(stored), { stored: { ...stored }, at: started });
          }
        });
        if (ok) log.info({ ...refFields(d), [LogField.spiffeId]: d.spec.spiffeId }, 'Created SpiffeID');
        else {
          // To the end of the failing ones: tried again after those that failed longer ago.
          failingCreates.delete(declaredKey(d));
          failingCreates.add(declaredKey(d));
        }
      }),
      ...dplan.update.map(({ declared: d }) => async () => {
        if (await attempt('Failed to update SpiffeID', refFields(d), () => writer.update(d))) {
          log.info({ ...refFields(d), [LogField.spiffeId]: d.spec.spiffeId }, 'Updated SpiffeID');
        }
      }),
      ...dplan.delete.map((s) => async () => {
        const r = { namespace: s.metadata.namespace, name: s.metadata.name };
        if (await attempt('Failed to delete SpiffeID', refFields(r), () => writer.delete(r, s.metadata.uid))) {
          createdUnseen.delete(spiffeIdKey(s));
          log.info(refFields(r), 'Deleted SpiffeID');
        }
      }),
      ...dplan.takeOver.map(({ current, declared: d }) => async () => {
        const r = refFields(d);
        const target = { namespace: d.namespace, name: d.name, ...(current.metadata.uid ? { uid: current.metadata.uid } : {}) };
        if (!(await attempt('Failed to take over SpiffeID', r, () => writer.takeOver(target, d)))) return;
        log.warn({ ...r, [LogField.spiffeId]: d.spec.spiffeId, owner: d.owner.name }, 'Took over a hand-made SpiffeID with the name of a pod or node');
        const status = takenOverStatus(current, d, new Date(deps.clock.now()).toISOString());
        const wrote = await attempt('Failed to write SpiffeID status', r, () => writer.writeStatus(target, status));
        takenOver.push(asTakenOver(current, d, wrote ? status : undefined));
      }),
    ];
    for (const b of dplan.blocked) log.debug(refFields(b.declared), 'SpiffeID name is taken by another owner; waiting');
    await forEachLimit(declaredWrites, limit, (write) => write());

    // 2. SpiffeIDs -> SPIRE entries, against the held entries (listed only on start, resync or after a
    // failure; a periodic resync lists in the background and a later pass takes the listing over).
    // The SpiffeIDs created above are planned now, as the API server stored them: their entries need
    // not wait for the next pass (our own create coming back through the watch).
    const spiffeIds = withTakenOver(withCreated(existing, justCreated, cache.key), takenOver);
    let entries: readonly Entry[];
    let listed = false;
    if (slice) {
      // Never takes a listing over (that needs a full pass, which the listing's end asks for).
      known.startResyncIfDue(signal);
      entries = slice.entries;
    } else {
      ({ entries, listed } = await known.current(signal));
    }
    const effective = withDeclaredSpecs(spiffeIds, declared.declared, cache.registrarDeclared);
    const plan = planSpiffeIdEntries(
      effective.spiffeIds,
      entries,
      config,
      new Date(deps.clock.now()).toISOString(),
      effective.registrarDeclared,
      cache.spiffeIds,
    );
    const plannedAt = deps.clock.now();

    // By namespace/name, built on first use: a pass that writes nothing needs none.
    let seenMap: Map<string, SpiffeId> | undefined;
    const seen = (r: SpiffeIdRef) => (seenMap ??= new Map(spiffeIds.map((s) => [cache.key(s), s]))).get(`${r.namespace}/${r.name}`);
    const entryEvent = (change: EntryChange, r: SpiffeIdRef | undefined, entryId: string) => {
      const uid = r && seen(r)?.metadata.uid;
      if (r && uid) recordEvent(entryChangedEvent(change, spiffeIdRef({ ...r, uid }), entryId));
    };
    /**
     * The ref with what the informer last saw of the object (or, for one this pass created, what the create
     * returned), so a guarded patch needs no GET first.
     */
    const observed = (r: SpiffeIdRef): ObservedSpiffeId => {
      const s = seen(r);
      if (!s) return r;
      const { uid, resourceVersion, finalizers } = s.metadata;
      return { ...r, ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}), finalizers: finalizers ?? [] };
    };

    await forEachLimit(plan.addFinalizer, limit, async (r) => {
      const target = observed(r);
      if (written.has(target, 'addFinalizer')) return;
      if (await attempt('Failed to add finalizer', refFields(r), () => writer.addFinalizer(target, SPIFFEID_FINALIZER))) written.record(target, 'addFinalizer');
    });

    // The entries this pass writes, with their keys before: seeds of the next slice (crd-slice.ts).
    if (index) {
      const ids = [
        ...plan.deleteEntries,
        ...plan.createEntries.map((c) => c.entry.id),
        ...plan.updateEntries.map((e) => e.id),
        ...plan.migrations.flatMap((m) => [m.deleteLegacy, ...(m.create ? [m.create.id] : [])]),
      ];
      const keys = ids.flatMap((id) => {
        const e = known.get(id);
        return e ? [cache.spiffeIds.entryKey(e)] : [];
      });
      index.seedEntries(ids, keys);
    }

    const results = { known, log, metrics: deps.metrics, entryEvent, failed: fail };
    const deleted = new Set<string>();
    if (plan.deleteEntries.length > 0) {
      const res = await store.deleteEntries(plan.deleteEntries, { signal }).catch(unknownOutcome);
      res.forEach((r, i) => {
        const id = plan.deleteEntries[i] as string;
        if (tookDelete(r, id, plan.entryOwners.get(id), results)) deleted.add(id);
      });
    }

    // API writes that follow SPIRE writes (statuses, finalizer releases) wait until every SPIRE write of
    // the pass is sent, and then share one pool: the entries of this pass never wait behind them.
    // Each holds its target as observed now and its status, not this function's variables (statusWrite).
    const statusWrites: (() => Promise<unknown>)[] = [];
    const queue = (w: (() => Promise<unknown>) | undefined) => {
      if (w) statusWrites.push(w);
    };
    // In chunks, each taken as soon as SPIRE answered it: SPIRE's answers to 10,500 creates are not all held
    // at once, and the event loop (and with it the GC's marking) turns between chunks instead of stopping
    // for the whole cold start's results. Same calls: a chunk is a whole number of the store's batches.
    for (let from = 0; from < plan.createEntries.length; from += CREATE_CHUNK) {
      const chunk = plan.createEntries.slice(from, from + CREATE_CHUNK);
      const res = await store.createEntries(chunk.map((c) => c.entry), { signal }).catch(unknownOutcome);
      res.forEach((r, i) => {
        const c = chunk[i];
        if (!c || !tookCreate(r, c.entry, c.owner, results)) return;
        const status = { ...c.status, entryId: c.entry.id };
        queue(statusWrite(attempt, writer, written, observed(c.owner), status));
      });
    }

    if (plan.updateEntries.length > 0) {
      const list = plan.updateEntries;
      const res = await store.updateEntries(list, writableMask, { signal }).catch(unknownOutcome);
      res.forEach((r, i) => {
        const e = list[i] as Entry;
        tookUpdate(r, e, plan.entryOwners.get(e.id), results);
      });
    }

    // Adopted legacy entries move to our own IDs; their statuses name ours once the legacy entry is gone.
    if (plan.migrations.length > 0) {
      const moved = await migrateLegacyEntries(plan.migrations, { ...results, store, signal, unknownOutcome });
      for (const m of moved.done) queue(statusWrite(attempt, writer, written, observed(m.owner), m.status));
    }

    for (const st of plan.statuses) {
      const ready = st.status.conditions.find((c) => c.type === 'Ready');
      if (ready?.status === 'False') log.warn({ ...refFields(st.owner), reason: ready.reason, message: ready.message }, 'SpiffeID has no entry');
      queue(statusWrite(attempt, writer, written, observed(st.owner), st.status));
    }

    reportedSpiffeIds = reportTransitions(
      plan.problems.flatMap((p) => {
        const uid = seen(p.owner)?.metadata.uid;
        const ref = uid ? spiffeIdRef({ ...p.owner, uid }) : undefined;
        return ref ? [{ uid: ref.uid, problem: `${p.reason}: ${p.message}`, event: () => spiffeIdProblemEvent(ref, p.reason, p.message) }] : [];
      }),
      reportedSpiffeIds,
      recordEvent,
      inSlice,
    );

    // A finalizer is released only once every entry delete it waits for succeeded (above, in this pass).
    for (const rel of plan.releaseFinalizer) {
      if (!rel.afterDeleting.every((id) => deleted.has(id))) continue;
      queue(finalizerRelease(attempt, writer, written, observed(rel.owner)));
    }
    return {
      statusWrites,
      moreToCreate: deferred > 0 && justCreated.length > 0,
      wrote:
        creates.length + dplan.update.length + dplan.delete.length + dplan.takeOver.length +
        plan.createEntries.length + plan.updateEntries.length + plan.migrations.length + plan.deleteEntries.length,
      counts: {
        spiffeids: spiffeIds.length,
        sliced: slice !== undefined,
        listed,
        declared_created: creates.length,
        ...(deferred > 0 ? { declared_deferred: deferred } : {}),
        declared_updated: dplan.update.length,
        declared_deleted: dplan.delete.length,
        entries_created: plan.createEntries.length,
        entries_updated: plan.updateEntries.length,
        entries_migrated: plan.migrations.length,
        entries_deleted: plan.deleteEntries.length,
        invalid: plan.problems.length,
        // Until both plans were made (step 1's SpiffeID writes included); the whole pass is durationMs.
        plannedMs: plannedAt - started,
      },
    };
  };

  return async (signal) => {
    const started = deps.clock.now();
    let failed = 0;
    const attempt: Attempt = async (what, fields, run) => {
      try {
        await run();
        return true;
      } catch (err) {
        failed++;
        log.error({ err, ...fields }, what);
        return false;
      }
    };
    const { statusWrites, moreToCreate, wrote, counts } = await planAndWrite(signal, started, attempt, () => void failed++);
    // The watch has mostly caught up with this pass's creates by now: what it shows need not be held
    // through the status writes (at a cold start, a second copy of every SpiffeID). Only for many: it
    // reads the whole cache, which a sliced pass otherwise never does.
    if (createdUnseen.size >= FORGET_SHOWN_FROM) forgetShown(deps.snapshot().spiffeIds, started);
    await forEachLimit(statusWrites, limit, async (write) => {
      await write();
    });

    // One summary line per pass: at info when it changed something, else at debug (resyncs are frequent).
    log[wrote > 0 || failed > 0 ? 'info' : 'debug'](
      { ...counts, resyncing: known.resyncing, failed, guardedSpiffeIds: written.size, durationMs: deps.clock.now() - started },
      'CRD pass done',
    );
    if (failed > 0) {
      // The next pass is full, as after any failure; it follows at once rather than after the retry's
      // backoff when this one made progress and left creates waiting (failing ones are tried last).
      if (moreToCreate) deps.again?.();
      throw new Error(`crd pass: ${failed} writes failed`);
    }
    fullNext = false;
    if (waiting.length > 0) {
      // The next pass creates the next ones. Between full passes a pass plans what events marked, so their
      // owners are marked as an event would mark them (a mark only widens a slice); without slicing every
      // pass is full and finds them itself.
      for (const m of waiting.splice(0, createsPerPass)) deps.changes?.mark(m.resource, m.key);
      deps.again?.();
    }
  };
}

type Attempt = (what: string, fields: Record<string, unknown>, run: () => Promise<void>) => Promise<boolean>;

/** What planAndWrite leaves for after the SPIRE writes: the API writes, and the pass's counts for its summary. */
type Planned = {
  readonly statusWrites: readonly (() => Promise<unknown>)[];
  /** It created SpiffeIDs and left others for later passes (createsPerPass). */
  readonly moreToCreate: boolean;
  /** SpiffeID and entry writes made (not counting statuses and finalizers). */
  readonly wrote: number;
  readonly counts: Readonly<Record<string, number | boolean>>;
};

type OwnerMark = { readonly resource: 'nodes' | 'pods'; readonly key: string };

/** The informer object a declared SpiffeID comes from, as a change mark names it (crd-slice.ts). */
const ownerMark = (d: { readonly namespace: string; readonly owner: { readonly kind: string; readonly name: string } }): OwnerMark =>
  d.owner.kind === 'Node' ? { resource: 'nodes', key: d.owner.name } : { resource: 'pods', key: `${d.namespace}/${d.owner.name}` };

const refFields = (r: SpiffeIdRef) => ({ [LogField.namespace]: r.namespace, [LogField.name]: r.name });

// Module-level, so a queued write closes over its arguments only: one made inside the pass would keep the
// pass's whole scope (plans, view, SPIRE's answers) alive until the last write ran.
// None when the same write was already made from the copy the informer still shows (written-from.ts).
function statusWrite(attempt: Attempt, writer: SpiffeIdWriter, written: WrittenFrom, target: ObservedSpiffeId, status: DesiredStatus) {
  return guarded(written, target, status, () => attempt('Failed to write SpiffeID status', refFields(target), () => writer.writeStatus(target, status)));
}

function finalizerRelease(attempt: Attempt, writer: SpiffeIdWriter, written: WrittenFrom, target: ObservedSpiffeId) {
  return guarded(written, target, 'releaseFinalizer', () => attempt('Failed to release finalizer', refFields(target), () => writer.releaseFinalizer(target, SPIFFEID_FINALIZER)));
}

function guarded(written: WrittenFrom, target: ObservedSpiffeId, write: GuardedWrite, run: () => Promise<boolean>): (() => Promise<boolean>) | undefined {
  if (written.has(target, write)) return undefined;
  return async () => {
    const ok = await run();
    if (ok) written.record(target, write);
    return ok;
  };
}

/**
 * Records the event of each object whose problem is new or changed; returns what is reported now.
 * @param decided whether this pass decides the object's problem (a sliced pass: objects in the slice);
 *   what was reported of the others stays
 */
function reportTransitions(
  current: readonly { readonly uid: string; readonly problem: string; readonly event: () => RegistrarEvent }[],
  before: ReadonlyMap<string, string>,
  recordEvent: (e: RegistrarEvent) => void,
  decided: (uid: string) => boolean,
): Map<string, string> {
  const now = new Map<string, string>();
  for (const [uid, problem] of before) if (!decided(uid)) now.set(uid, problem);
  for (const c of current) {
    now.set(c.uid, c.problem);
    if (before.get(c.uid) !== c.problem) recordEvent(c.event());
  }
  return now;
}

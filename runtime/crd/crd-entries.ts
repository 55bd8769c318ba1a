// Crd mode's view of SPIRE's entries: one full listing at start, at every resync interval and whenever
// the view may be wrong, kept current in between from our own write results (as reconcile mode's
// OwnedIndex is). So a pass triggered by a SpiffeID or pod event asks SPIRE nothing before it writes,
// where listing every entry on every pass cost ceil(E/200)+1 calls each time. A change made in SPIRE by
// someone else is seen at the next full listing (default every 10 s, `resync_interval`).
// The periodic resync's listing runs in the background when the caller can run a pass on its result
// (`onListed`): at 10,500 entries it takes 280–510 ms, which every pod event would otherwise wait out. Passes
// meanwhile plan against the held entries, which are known to be right, and their writes are journaled
// and replayed onto the listing when the next pass takes it over. A first listing, one after
// `invalidate()` and one after a failed background listing block the pass: the view may be wrong then,
// and a pass planned from it could undo what SPIRE holds.
// The planner's input is unchanged: every entry as listed (it decides which it owns).
import type { Logger } from 'pino';
import type { EntryStore } from '../../adapters/entry-store.js';
import { type Entry, sameEntry } from '../../handlers/entries/entry.js';
import { entryKey } from '../../handlers/entries/entry-key.js';
import type { Clock } from '../clock.js';
import { compactEntry, createInterner, type Interner } from '../kube/shared-values.js';

export type CrdEntriesOptions = {
  readonly store: EntryStore;
  readonly clock: Clock;
  /** A full listing is due once this long has passed since the last one; 0 lists on every pass. */
  readonly resyncIntervalMs: number;
  /** Shares the held entries' strings (with the informers' projections when they use the same one). */
  readonly intern?: Interner;
  /**
   * Called when a background resync listing has ended (well or not): the caller runs a pass, which takes
   * the listing over and acts on what it found. Without it every listing blocks the pass that needs it.
   */
  readonly onListed?: () => void;
  /** Where a failed background listing is reported; default: nowhere. */
  readonly log?: Logger;
};

/** A periodic resync's listing running beside the passes. */
type Background = {
  readonly stop: AbortController;
  /** Writes recorded since the listing began, replayed onto it at commit: an entry or a removed ID. */
  readonly journal: Array<Entry | string>;
  /** The listing and when it ended, once it ended well. */
  done?: { readonly next: Map<string, Entry>; readonly at: number };
};

export class CrdEntries {
  readonly #o: CrdEntriesOptions;
  #byId = new Map<string, Entry>();
  #loaded = false;
  /** Bumped by every invalidate(): a blocking listing that began before one is not taken as right. */
  #generation = 0;
  #lastList = Number.NEGATIVE_INFINITY;
  #bg: Background | undefined;
  readonly #intern: Interner;
  /** Entry key -> IDs, for sliced passes: built on first use after #byId was replaced, then kept by put/remove. */
  #byKey: Map<string, string | Set<string>> | undefined;
  #keyOf: (e: Entry) => string = entryKey;

  constructor(o: CrdEntriesOptions) {
    this.#o = o;
    this.#intern = o.intern ?? createInterner();
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** Whether a background resync listing is open or waits to be taken over. */
  get resyncing(): boolean {
    return this.#bg !== undefined;
  }

  /**
   * Every entry. Lists SPIRE first when the view may be wrong; takes over a background listing that
   * ended; starts one when the periodic resync is due. `listed` says whether the entries are a listing
   * made since the previous pass (blocking or taken over), i.e. whether this pass acts on drift.
   */
  async current(signal?: AbortSignal): Promise<{ entries: Entry[]; listed: boolean }> {
    const bg = this.#bg;
    if (bg?.done) {
      this.#commit(bg, bg.done);
      return { entries: Array.from(this.#byId.values()), listed: true };
    }
    const due = !this.#loaded || this.#o.clock.now() - this.#lastList >= this.#o.resyncIntervalMs;
    if (!due || bg) return { entries: Array.from(this.#byId.values()), listed: false };
    if (this.#loaded && this.#o.onListed && this.#o.resyncIntervalMs > 0) {
      this.#startBackground(signal);
      return { entries: Array.from(this.#byId.values()), listed: false };
    }
    await this.#list(signal);
    return { entries: Array.from(this.#byId.values()), listed: true };
  }

  /**
   * Whether the next `current` would list SPIRE before it answers or take a listing over: the view may be
   * wrong, or a listing found drift anywhere. A sliced crd pass (crd-slice.ts) is then no longer enough.
   */
  needsFullPass(): boolean {
    if (!this.#loaded || this.#bg?.done) return true;
    const due = this.#o.clock.now() - this.#lastList >= this.#o.resyncIntervalMs;
    return due && !this.#bg && !(this.#o.onListed && this.#o.resyncIntervalMs > 0);
  }

  /**
   * What `current` does short of answering, for a sliced pass: starts the periodic background listing
   * when it is due (a later pass, which needsFullPass() then makes full, takes it over). Only when
   * needsFullPass() is false.
   */
  startResyncIfDue(signal?: AbortSignal): void {
    if (this.needsFullPass() || this.#bg) return;
    if (this.#o.clock.now() - this.#lastList >= this.#o.resyncIntervalMs) this.#startBackground(signal);
  }

  /** Keys entries with `keyOf` (entryKey or a memo of it, such as the crd pass's) from now on. */
  keyedBy(keyOf: (e: Entry) => string): void {
    this.#keyOf = keyOf;
    this.#byKey = undefined;
  }

  /** The held entry with this ID. */
  get(id: string): Entry | undefined {
    return this.#byId.get(id);
  }

  /** The IDs of the held entries with this key (entryKey). */
  idsUnderKey(key: string): readonly string[] {
    if (!this.#byKey) {
      this.#byKey = new Map();
      for (const e of this.#byId.values()) this.#index(e);
    }
    const ids = this.#byKey.get(key);
    return ids === undefined ? [] : typeof ids === 'string' ? [ids] : [...ids];
  }

  #index(e: Entry): void {
    const k = this.#keyOf(e);
    const m = this.#byKey as Map<string, string | Set<string>>;
    const had = m.get(k);
    if (had === undefined) m.set(k, e.id);
    else if (typeof had === 'string') {
      if (had !== e.id) m.set(k, new Set([had, e.id]));
    } else had.add(e.id);
  }

  #unindex(e: Entry): void {
    const m = this.#byKey;
    if (!m) return;
    const k = this.#keyOf(e);
    const had = m.get(k);
    if (had === e.id) m.delete(k);
    else if (had instanceof Set) {
      had.delete(e.id);
      if (had.size === 1) m.set(k, had.values().next().value as string);
    }
  }

  /**
   * The next `current` lists SPIRE (a write's outcome is unknown, or leadership began anew). A background
   * listing open now is dropped: it may hold what the unknown write did or did not do.
   */
  invalidate(): void {
    this.#loaded = false;
    this.#generation++;
    const bg = this.#bg;
    this.#bg = undefined;
    bg?.stop.abort();
  }

  /** An entry SPIRE now holds (created, found similar, or updated). */
  put(e: Entry): void {
    if (e.id === '') return;
    const held = compactEntry(this.#intern, e);
    const before = this.#byId.get(e.id);
    if (before) this.#unindex(before);
    this.#byId.set(e.id, held);
    if (this.#byKey) this.#index(held);
    this.#bg?.journal.push(held);
  }

  remove(id: string): void {
    const before = this.#byId.get(id);
    if (before) this.#unindex(before);
    this.#byId.delete(id);
    this.#bg?.journal.push(id);
  }

  /** Pages go straight into `next`; an entry equal to the one held keeps the held object. */
  #collect(next: Map<string, Entry>) {
    // An unchanged SPIRE then costs no second long-lived copy of every entry.
    return (page: readonly Entry[]) => {
      for (const e of page) {
        if (e.id === '') continue;
        const held = this.#byId.get(e.id);
        next.set(e.id, held && sameEntry(held, e) ? held : compactEntry(this.#intern, e));
      }
    };
  }

  async #list(signal?: AbortSignal): Promise<void> {
    const started = this.#o.clock.now();
    const generation = this.#generation;
    const next = new Map<string, Entry>();
    const add = this.#collect(next);
    try {
      add(await this.#o.store.listEntries(undefined, { ...(signal ? { signal } : {}), onPage: add }));
    } catch (cause) {
      throw new Error('list entries', { cause });
    }
    this.#byId = next;
    this.#byKey = undefined;
    // An invalidate() meanwhile (SPIRE reconnected while the listing ran): the pass may use this listing,
    // but the next one lists again.
    this.#loaded = generation === this.#generation;
    this.#lastList = started;
  }

  #startBackground(signal?: AbortSignal): void {
    const stop = new AbortController();
    const bg: Background = { stop, journal: [] };
    this.#bg = bg;
    const started = this.#o.clock.now();
    const next = new Map<string, Entry>();
    const collect = this.#collect(next);
    // A listing dropped by invalidate() may still deliver pages: they go nowhere.
    const add = (page: readonly Entry[]) => {
      if (this.#bg === bg) collect(page);
    };
    const listSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    this.#o.log?.debug({ entries: this.#byId.size }, 'Resync: listing SPIRE entries in the background');
    // Settles here, never into a caller: no rejection is left unhandled when the term or process ends.
    void this.#o.store.listEntries(undefined, { signal: listSignal, onPage: add }).then(
      (last) => {
        if (this.#bg !== bg) return;
        add(last);
        const at = this.#o.clock.now();
        bg.done = { next, at };
        this.#o.log?.debug({ entries: next.size, durationMs: at - started, writesMeanwhile: bg.journal.length }, 'Resync: SPIRE entries listed');
        this.#listed();
      },
      (err: unknown) => {
        if (this.#bg !== bg) {
          this.#o.log?.debug({ err }, 'Resync: a dropped background listing ended');
          return;
        }
        // The held view stays; the next pass lists SPIRE before it plans.
        this.#bg = undefined;
        this.#loaded = false;
        this.#o.log?.[listSignal.aborted ? 'debug' : 'error']({ err }, 'Resync: listing SPIRE entries failed; the next pass lists again');
        this.#listed();
      },
    );
  }

  #listed(): void {
    try {
      this.#o.onListed?.();
    } catch (err) {
      this.#o.log?.error({ err }, 'Resync: could not ask for a pass after the listing');
    }
  }

  /** The listing replaces the held view, with every write made since it began replayed onto it. */
  #commit(bg: Background, done: NonNullable<Background['done']>): void {
    for (const op of bg.journal) {
      if (typeof op === 'string') done.next.delete(op);
      else done.next.set(op.id, op);
    }
    this.#byId = done.next;
    this.#byKey = undefined;
    this.#bg = undefined;
    // From when it ended, not began: a listing slower than the interval does not start the next at once.
    this.#lastList = done.at;
  }
}

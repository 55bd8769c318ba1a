// Crd mode's view of SPIRE's entries: one full listing at start, at every resync interval and whenever
// the view may be wrong, kept current in between from our own write results (as reconcile mode's
// OwnedIndex is). So a pass triggered by a SpiffeID or pod event asks SPIRE nothing before it writes,
// where listing every entry on every pass cost ceil(E/200)+1 calls each time. A change made in SPIRE by
// someone else is seen at the next full listing (default every 10 s, `resync_interval`).
// The planner's input is unchanged: every entry as listed (it decides which it owns).
import type { EntryStore } from '../../adapters/entry-store.js';
import { type Entry, sameEntry } from '../../handlers/entries/entry.js';
import type { Clock } from '../clock.js';
import { compactEntry, createInterner, type Interner } from '../kube/shared-values.js';

export type CrdEntriesOptions = {
  readonly store: EntryStore;
  readonly clock: Clock;
  /** A full listing is due once this long has passed since the last one; 0 lists on every pass. */
  readonly resyncIntervalMs: number;
  /** Shares the held entries' strings (with the informers' projections when they use the same one). */
  readonly intern?: Interner;
};

export class CrdEntries {
  readonly #o: CrdEntriesOptions;
  #byId = new Map<string, Entry>();
  #loaded = false;
  #lastList = Number.NEGATIVE_INFINITY;
  readonly #intern: Interner;

  constructor(o: CrdEntriesOptions) {
    this.#o = o;
    this.#intern = o.intern ?? createInterner();
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** Every entry, listing SPIRE first if a full listing is due; `listed` says whether it did. */
  async current(signal?: AbortSignal): Promise<{ entries: Entry[]; listed: boolean }> {
    const due = !this.#loaded || this.#o.clock.now() - this.#lastList >= this.#o.resyncIntervalMs;
    if (due) await this.#list(signal);
    return { entries: Array.from(this.#byId.values()), listed: due };
  }

  /** The next `current` lists SPIRE (a write's outcome is unknown, or leadership began anew). */
  invalidate(): void {
    this.#loaded = false;
  }

  /** An entry SPIRE now holds (created, found similar, or updated). */
  put(e: Entry): void {
    if (e.id !== '') this.#byId.set(e.id, compactEntry(this.#intern, e));
  }

  remove(id: string): void {
    this.#byId.delete(id);
  }

  async #list(signal?: AbortSignal): Promise<void> {
    const started = this.#o.clock.now();
    // Pages go straight into the new map; an entry equal to the one held keeps the held object, so an
    // unchanged SPIRE costs no second long-lived copy of every entry.
    const next = new Map<string, Entry>();
    const add = (page: readonly Entry[]) => {
      for (const e of page) {
        if (e.id === '') continue;
        const held = this.#byId.get(e.id);
        next.set(e.id, held && sameEntry(held, e) ? held : compactEntry(this.#intern, e));
      }
    };
    try {
      add(await this.#o.store.listEntries(undefined, { ...(signal ? { signal } : {}), onPage: add }));
    } catch (cause) {
      throw new Error('list entries', { cause });
    }
    this.#byId = next;
    this.#loaded = true;
    this.#lastList = started;
  }
}

// The owned entries as last listed from SPIRE and kept current from our own write results, grouped by the
// Kubernetes object each stands for. Between full passes an event reconciles one object against this
// index instead of asking SPIRE (the original registrar called ListEntries for every pod event).
//
// A full pass reloads the index page by page (`reload`): foreign entries are dropped as their page
// arrives, and a listed entry equal to the one already held keeps the held object, so a resync of an
// unchanged SPIRE allocates only short-lived objects instead of a second copy of every entry that lives
// across the whole listing (and is promoted to V8's old generation before it turns into garbage).
import { type Entry, sameEntry } from '../../handlers/entries/entry.js';
import type { Ownership } from '../../handlers/entries/ownership.js';

type Held = { readonly entry: Entry; readonly object: string };

/** A reload in progress: feed it every listed page, then `commit` (a failed listing just drops it). */
export type IndexReload = {
  add(page: readonly Entry[]): void;
  /** Replaces the index with what was added; returns the owned entries. */
  commit(): Entry[];
};

export class OwnedIndex {
  readonly #own: Ownership;
  #byId = new Map<string, Held>();
  #byObject = new Map<string, string[]>();
  #loaded = false;

  constructor(own: Ownership) {
    this.#own = own;
  }

  /** False until the first list, and again after a write whose outcome is unknown. */
  get loaded(): boolean {
    return this.#loaded;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Replaces the contents with the owned subset of a full list. */
  reset(entries: readonly Entry[]): void {
    const r = this.reload();
    r.add(entries);
    r.commit();
  }

  /** Starts replacing the contents with the owned subset of a full list, delivered page by page. */
  reload(): IndexReload {
    const byId = new Map<string, Held>();
    const byObject = new Map<string, string[]>();
    let done = false;
    return {
      add: (page) => {
        if (done) throw new Error('index reload already committed');
        for (const e of page) {
          if (e.id === '') continue;
          const old = this.#byId.get(e.id);
          const held = old && sameEntry(old.entry, e) ? old : this.#held(e);
          if (held === undefined) continue;
          byId.set(e.id, held);
          addId(byObject, held.object, e.id);
        }
      },
      commit: () => {
        if (done) throw new Error('index reload already committed');
        done = true;
        this.#byId = byId;
        this.#byObject = byObject;
        this.#loaded = true;
        return Array.from(byId.values(), (h) => h.entry);
      },
    };
  }

  /** The index may be wrong (a whole batch call failed): the next pass lists again. */
  invalidate(): void {
    this.#loaded = false;
  }

  entriesOf(object: string): Entry[] {
    return (this.#byObject.get(object) ?? []).map((id) => (this.#byId.get(id) as Held).entry);
  }

  /** Every owned entry held. */
  entries(): Entry[] {
    return Array.from(this.#byId.values(), (h) => h.entry);
  }

  /** Records an entry the server now holds (created, updated, or found similar); ignores foreign ones. */
  put(e: Entry): void {
    const held = e.id === '' ? undefined : this.#held(e);
    if (held === undefined) return;
    this.remove(e.id);
    this.#byId.set(e.id, held);
    addId(this.#byObject, held.object, e.id);
  }

  remove(id: string): void {
    const old = this.#byId.get(id);
    if (!old) return;
    this.#byId.delete(id);
    const ids = this.#byObject.get(old.object);
    const at = ids?.indexOf(id) ?? -1;
    if (ids && at >= 0) ids.splice(at, 1);
    if (ids?.length === 0) this.#byObject.delete(old.object);
  }

  #held(e: Entry): Held | undefined {
    const object = this.#own.objectOf(e);
    return object === undefined ? undefined : { entry: e, object };
  }
}

// Ids per object in arrays, not Sets: almost every object has one entry, and 10^4 one-element Sets cost
// more than a megabyte of live heap. An id appears at most once (put removes it first).
function addId(byObject: Map<string, string[]>, object: string, id: string): void {
  const ids = byObject.get(object);
  if (!ids) byObject.set(object, [id]);
  else if (!ids.includes(id)) ids.push(id);
}

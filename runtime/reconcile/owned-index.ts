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
type Maps = { readonly byId: Map<string, Held>; readonly byObject: Map<string, string[]> };
/** Writes recorded while a reload is open, replayed onto it at commit. */
type Journal = { readonly ops: Array<Held | string>; stale: boolean };

/**
 * A reload in progress: feed it every listed page, then `commit`, or `abandon` it (a failed listing).
 * Writes recorded in the index meanwhile (`put`, `remove`: passes that ran while the listing was in
 * flight) are replayed onto the listing at commit, so an entry created after its page was read, or
 * deleted after, is held as the server now has it whichever page it fell on.
 */
export type IndexReload = {
  add(page: readonly Entry[]): void;
  /** Replaces the index with what was added and the writes since; returns the owned entries. */
  commit(): Entry[];
  abandon(): void;
};

export class OwnedIndex {
  readonly #own: Ownership;
  #byId = new Map<string, Held>();
  #byObject = new Map<string, string[]>();
  #loaded = false;
  #journal: Journal | undefined;

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
    const next: Maps = { byId: new Map(), byObject: new Map() };
    const journal: Journal = { ops: [], stale: false };
    this.#journal = journal;
    let done = false;
    const finish = () => {
      if (done) throw new Error('index reload already committed');
      done = true;
      if (this.#journal === journal) this.#journal = undefined;
    };
    return {
      add: (page) => {
        if (done) throw new Error('index reload already committed');
        for (const e of page) {
          if (e.id === '') continue;
          const old = this.#byId.get(e.id);
          const held = old && sameEntry(old.entry, e) ? old : this.#held(e);
          if (held !== undefined) putHeld(next, e.id, held);
        }
      },
      commit: () => {
        finish();
        for (const op of journal.ops) {
          if (typeof op === 'string') removeId(next, op);
          else putHeld(next, op.entry.id, op);
        }
        this.#byId = next.byId;
        this.#byObject = next.byObject;
        // A write whose outcome is unknown during the listing: the next pass lists again.
        this.#loaded = !journal.stale;
        return Array.from(next.byId.values(), (h) => h.entry);
      },
      abandon: finish,
    };
  }

  /** The index may be wrong (a whole batch call failed): the next pass lists again. */
  invalidate(): void {
    this.#loaded = false;
    if (this.#journal) this.#journal.stale = true;
  }

  /** The object a held entry (this very object, as `entries()` returns it) stands for; else undefined. */
  heldObjectOf(e: object): string | undefined {
    const id = (e as { id?: unknown }).id;
    const held = typeof id === 'string' ? this.#byId.get(id) : undefined;
    return held?.entry === e ? held.object : undefined;
  }

  entriesOf(object: string): Entry[] {
    return (this.#byObject.get(object) ?? []).map((id) => (this.#byId.get(id) as Held).entry);
  }

  /** Every object with held entries. */
  objects(): IterableIterator<string> {
    return this.#byObject.keys();
  }

  get objectCount(): number {
    return this.#byObject.size;
  }

  /** Every owned entry held. */
  entries(): Entry[] {
    return Array.from(this.#byId.values(), (h) => h.entry);
  }

  /** Records an entry the server now holds (created, updated, or found similar); ignores foreign ones. */
  put(e: Entry): void {
    const held = e.id === '' ? undefined : this.#held(e);
    if (held === undefined) return;
    putHeld(this.#maps(), e.id, held);
    this.#journal?.ops.push(held);
  }

  remove(id: string): void {
    removeId(this.#maps(), id);
    this.#journal?.ops.push(id);
  }

  #maps(): Maps {
    return { byId: this.#byId, byObject: this.#byObject };
  }

  #held(e: Entry): Held | undefined {
    const object = this.#own.objectOf(e);
    return object === undefined ? undefined : { entry: e, object };
  }
}

function putHeld(m: Maps, id: string, held: Held): void {
  removeId(m, id);
  m.byId.set(id, held);
  addId(m.byObject, held.object, id);
}

function removeId(m: Maps, id: string): void {
  const old = m.byId.get(id);
  if (!old) return;
  m.byId.delete(id);
  const ids = m.byObject.get(old.object);
  const at = ids?.indexOf(id) ?? -1;
  if (ids && at >= 0) ids.splice(at, 1);
  if (ids?.length === 0) m.byObject.delete(old.object);
}

// Ids per object in arrays, not Sets: almost every object has one entry, and 10^4 one-element Sets cost
// more than a megabyte of live heap. An id appears at most once (put removes it first).
function addId(byObject: Map<string, string[]>, object: string, id: string): void {
  const ids = byObject.get(object);
  if (!ids) byObject.set(object, [id]);
  else if (!ids.includes(id)) ids.push(id);
}

// The owned entries as last listed from SPIRE and kept current from our own write results, grouped by the
// Kubernetes object each stands for. Between full passes an event reconciles one object against this
// index instead of asking SPIRE (the original registrar called ListEntries for every pod event).
import type { Entry } from '../../handlers/entries/entry.js';
import type { Ownership } from '../../handlers/entries/ownership.js';

export class OwnedIndex {
  readonly #own: Ownership;
  readonly #byId = new Map<string, Entry>();
  readonly #byObject = new Map<string, Set<string>>();
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
    this.#byId.clear();
    this.#byObject.clear();
    for (const e of entries) this.put(e);
    this.#loaded = true;
  }

  /** The index may be wrong (a whole batch call failed): the next pass lists again. */
  invalidate(): void {
    this.#loaded = false;
  }

  entriesOf(object: string): Entry[] {
    return [...(this.#byObject.get(object) ?? [])].map((id) => this.#byId.get(id) as Entry);
  }

  /** Records an entry the server now holds (created, updated, or found similar); ignores foreign ones. */
  put(e: Entry): void {
    const object = this.#own.objectOf(e);
    if (object === undefined || e.id === '') return;
    this.remove(e.id);
    this.#byId.set(e.id, e);
    let ids = this.#byObject.get(object);
    if (!ids) this.#byObject.set(object, (ids = new Set()));
    ids.add(e.id);
  }

  remove(id: string): void {
    const old = this.#byId.get(id);
    if (!old) return;
    this.#byId.delete(id);
    const object = this.#own.objectOf(old) as string;
    const ids = this.#byObject.get(object);
    ids?.delete(id);
    if (ids?.size === 0) this.#byObject.delete(object);
  }
}

// The in-memory datastore: entries by id, each with the auto-increment row number that orders
// listings and forms page tokens (docs/spire-entry-api.md 2.7).
import { type WireEntry } from '../spire/wire-types.js';
import { cloneEntry } from './output-mask.js';

export type Row = { readonly row: number; entry: WireEntry };

export class EntryTable {
  #rows = new Map<string, Row>();
  #nextRow = 1;

  get(id: string): Row | undefined {
    return this.#rows.get(id);
  }

  has(id: string): boolean {
    return this.#rows.has(id);
  }

  insert(entry: WireEntry): Row {
    const row = { row: this.#nextRow++, entry: cloneEntry(entry) };
    this.#rows.set(entry.id, row);
    return row;
  }

  delete(id: string): boolean {
    return this.#rows.delete(id);
  }

  /** Rows in creation order (Map iteration order is insertion order, and rows are never re-inserted). */
  rows(): Row[] {
    return [...this.#rows.values()];
  }

  get size(): number {
    return this.#rows.size;
  }
}

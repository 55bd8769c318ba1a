// The in-memory datastore: entries by id, each with the auto-increment row number that orders
// listings and forms page tokens (docs/spire-entry-api.md 2.7), and an index by similarity key
// (SPIFFE ID, parent ID, selector set) so that a create finds a similar entry without a scan: the
// benchmarks drive tens of thousands of entries through this table (bench/README.md).
import { formatSelector } from '../../handlers/entries/selectors.js';
import { formatSpiffeId } from '../../handlers/entries/spiffe-id.js';
import { type WireEntry, type WireSpiffeId } from '../spire/wire-types.js';
import { cloneEntry } from './output-mask.js';

export type Row = { readonly row: number; readonly entry: WireEntry };

/** A wire SPIFFE ID as its canonical string ("" for none). */
export function wireIdText(id: WireSpiffeId | null | undefined): string {
  return id ? formatSpiffeId({ trustDomain: id.trust_domain, path: id.path }) : '';
}

/** The uniqueness tuple as one string: entries with the same key are "similar". */
export function similarityKey(e: WireEntry): string {
  const selectors = [...new Set(e.selectors.map(formatSelector))].sort();
  return [wireIdText(e.spiffe_id), wireIdText(e.parent_id), ...selectors].join('\n');
}

export class EntryTable {
  #rows = new Map<string, { row: number; entry: WireEntry }>();
  #bySimilarity = new Map<string, Set<string>>();
  #nextRow = 1;

  get(id: string): Row | undefined {
    return this.#rows.get(id);
  }

  has(id: string): boolean {
    return this.#rows.has(id);
  }

  insert(entry: WireEntry): Row {
    const old = this.#rows.get(entry.id);
    if (old) this.#unindex(old.entry);
    const row = { row: this.#nextRow++, entry: cloneEntry(entry) };
    this.#rows.set(entry.id, row);
    this.#index(row.entry);
    return row;
  }

  /** Replaces a stored entry (same id) with `entry` as given, keeping its row number. */
  replace(id: string, entry: WireEntry): void {
    const row = this.#rows.get(id);
    if (!row) throw new Error(`entry table: no entry ${id}`);
    this.#unindex(row.entry);
    row.entry = entry;
    this.#index(entry);
  }

  delete(id: string): boolean {
    const row = this.#rows.get(id);
    if (!row) return false;
    this.#unindex(row.entry);
    return this.#rows.delete(id);
  }

  /** The earliest stored entry similar to `entry`, if any. */
  findSimilar(entry: WireEntry): Row | undefined {
    let found: Row | undefined;
    for (const id of this.#bySimilarity.get(similarityKey(entry)) ?? []) {
      const row = this.#rows.get(id);
      if (row && (!found || row.row < found.row)) found = row;
    }
    return found;
  }

  /** Rows in creation order (Map iteration order is insertion order, and rows are never re-inserted). */
  rows(): Row[] {
    return [...this.#rows.values()];
  }

  /** The same order as rows(), without copying: for scans that stop early. */
  scan(): IterableIterator<Row> {
    return this.#rows.values();
  }

  #index(e: WireEntry): void {
    const key = similarityKey(e);
    let ids = this.#bySimilarity.get(key);
    if (!ids) this.#bySimilarity.set(key, (ids = new Set()));
    ids.add(e.id);
  }

  #unindex(e: WireEntry): void {
    const key = similarityKey(e);
    const ids = this.#bySimilarity.get(key);
    ids?.delete(e.id);
    if (ids?.size === 0) this.#bySimilarity.delete(key);
  }

  get size(): number {
    return this.#rows.size;
  }
}

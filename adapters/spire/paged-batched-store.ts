// An EntryStore over any EntryRpc: pages ListEntries until the token is "", splits writes into batches,
// and returns one typed result per input in input order. Per-item failures are results, never throws.
import type { Entry } from '../../handlers/entries/entry.js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import { type CallOptions, type DeleteResult, type EntryFilter, type EntryMask, type EntryResult, type EntryStore, type ListOptions, SpireCallError } from '../entry-store.js';
import { entryFromWire, entryToWire, filterToWire, maskToWire, statusFromWire } from './entry-convert.js';
import { type BatchSizes, defaultBatchSizes, type EntryRpc } from './entry-rpc.js';

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function checkCount(got: number, want: number, what: string): void {
  if (got !== want) throw new SpireCallError(`${what}: server returned ${got} results for ${want} items`, StatusCode.INTERNAL);
}

export function pagedBatchedEntryStore(rpc: EntryRpc, sizes: BatchSizes = defaultBatchSizes): EntryStore {
  return {
    async listEntries(filter: EntryFilter = {}, options: ListOptions = {}): Promise<Entry[]> {
      const out: Entry[] = [];
      const wireFilter = filterToWire(filter);
      let token = '';
      for (let page = 1; ; page++) {
        const res = await rpc.listEntries({ filter: wireFilter, page_size: options.pageSize ?? sizes.listPage, page_token: token }, `list entries (page ${page})`, options.signal);
        if (options.onPage) options.onPage(res.entries);
        else for (const e of res.entries) out.push(e);
        if (res.nextPageToken === '') return out;
        if (res.nextPageToken === token) throw new SpireCallError(`list entries (page ${page}): page token did not advance`, StatusCode.INTERNAL);
        token = res.nextPageToken;
      }
    },

    async getEntry(id: string, options: CallOptions = {}): Promise<Entry> {
      return entryFromWire(await rpc.getEntry({ id }, `get entry ${id}`, options.signal));
    },

    async countEntries(filter: EntryFilter = {}, options: CallOptions = {}): Promise<number> {
      return (await rpc.countEntries({ filter: filterToWire(filter) }, 'count entries', options.signal)).count;
    },

    async createEntries(entries: readonly Entry[], options: CallOptions = {}): Promise<EntryResult[]> {
      const out: EntryResult[] = [];
      for (const [i, batch] of chunks(entries, sizes.create).entries()) {
        const what = `create entries (batch ${i + 1}, ${batch.length} entries)`;
        const res = await rpc.batchCreateEntry({ entries: batch.map(entryToWire) }, what, options.signal);
        checkCount(res.results.length, batch.length, what);
        out.push(...res.results);
      }
      return out;
    },

    async updateEntries(entries: readonly Entry[], mask?: EntryMask, options: CallOptions = {}): Promise<EntryResult[]> {
      const out: EntryResult[] = [];
      const inputMask = mask ? maskToWire(mask) : null;
      for (const [i, batch] of chunks(entries, sizes.update).entries()) {
        const what = `update entries (batch ${i + 1}, ${batch.length} entries)`;
        const res = await rpc.batchUpdateEntry({ entries: batch.map(entryToWire), input_mask: inputMask }, what, options.signal);
        checkCount(res.results.length, batch.length, what);
        out.push(...res.results);
      }
      return out;
    },

    async deleteEntries(ids: readonly string[], options: CallOptions = {}): Promise<DeleteResult[]> {
      const out: DeleteResult[] = [];
      for (const [i, batch] of chunks(ids, sizes.delete).entries()) {
        const what = `delete entries (batch ${i + 1}, ${batch.length} ids)`;
        const res = await rpc.batchDeleteEntry({ ids: [...batch] }, what, options.signal);
        checkCount(res.results.length, batch.length, what);
        out.push(...res.results.map((r, j) => ({ status: statusFromWire(r.status), id: r.id || (batch[j] as string) })));
      }
      return out;
    },

    close: () => rpc.close(),
  };
}

// An EntryStore straight over the in-memory core, no gRPC: the same paging, batching and results as
// the gRPC client, for tests and benchmarks that do not need a socket.
import { StatusCode } from '../../handlers/entries/status-code.js';
import { type EntryStore, SpireCallError } from '../entry-store.js';
import { type BatchSizes, defaultBatchSizes, type EntryRpc } from '../spire/entry-rpc.js';
import { entryFromWire, entryResultFromWire } from '../spire/entry-convert.js';
import { pagedBatchedEntryStore } from '../spire/paged-batched-store.js';
import type { MemorySpireCore } from './core.js';
import { RpcError } from './rpc-error.js';

async function call<T>(what: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  if (signal?.aborted) throw new SpireCallError(`${what}: aborted`, StatusCode.CANCELLED, { cause: signal.reason });
  try {
    return await run();
  } catch (err) {
    if (err instanceof RpcError) throw new SpireCallError(`${what}: ${err.message}`, err.code, { cause: err });
    throw err;
  }
}

function memoryEntryRpc(core: MemorySpireCore): EntryRpc {
  return {
    countEntries: (req, what, signal) => call(what, signal, () => core.countEntries(req)),
    listEntries: (req, what, signal) => call(what, signal, async () => {
      const res = await core.listEntries(req);
      return { entries: res.entries.map(entryFromWire), nextPageToken: res.next_page_token };
    }),
    getEntry: (req, what, signal) => call(what, signal, () => core.getEntry(req)),
    batchCreateEntry: (req, what, signal) => call(what, signal, async () => ({ results: (await core.batchCreateEntry(req)).results.map(entryResultFromWire) })),
    batchUpdateEntry: (req, what, signal) => call(what, signal, async () => ({ results: (await core.batchUpdateEntry(req)).results.map(entryResultFromWire) })),
    batchDeleteEntry: (req, what, signal) => call(what, signal, () => core.batchDeleteEntry(req)),
    close: async () => undefined,
  };
}

export function memoryEntryStore(core: MemorySpireCore, sizes: BatchSizes = defaultBatchSizes): EntryStore {
  return pagedBatchedEntryStore(memoryEntryRpc(core), sizes);
}

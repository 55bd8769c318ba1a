// The Entry service at wire level, one call per method. Implemented over gRPC (entry-rpc.grpc.ts) and
// directly over the in-memory core (spire-memory/entry-rpc.memory.ts); paged-and-batched-store.ts turns
// either into an EntryStore. Every method rejects with a SpireCallError when the whole call fails.
import type { Entry } from '../../handlers/entries/entry.js';
import type { EntryResult } from '../entry-store.js';
import type * as W from './wire-types.js';

/** One ListEntries page, its entries already in the registrar's own type (entry-responses-decode.ts). */
export type ListEntriesPage = { readonly entries: Entry[]; readonly nextPageToken: string };

/** A BatchCreateEntry or BatchUpdateEntry response, one result per input, entries in the registrar's type. */
export type BatchEntryResults = { readonly results: EntryResult[] };

export interface EntryRpc {
  countEntries(req: W.CountEntriesRequest, what: string, signal?: AbortSignal): Promise<W.CountEntriesResponse>;
  listEntries(req: W.ListEntriesRequest, what: string, signal?: AbortSignal): Promise<ListEntriesPage>;
  getEntry(req: W.GetEntryRequest, what: string, signal?: AbortSignal): Promise<W.WireEntry>;
  batchCreateEntry(req: W.BatchCreateEntryRequest, what: string, signal?: AbortSignal): Promise<BatchEntryResults>;
  batchUpdateEntry(req: W.BatchUpdateEntryRequest, what: string, signal?: AbortSignal): Promise<BatchEntryResults>;
  batchDeleteEntry(req: W.BatchDeleteEntryRequest, what: string, signal?: AbortSignal): Promise<W.BatchDeleteEntryResponse>;
  close(): Promise<void>;
}

export type BatchSizes = { readonly create: number; readonly update: number; readonly delete: number; readonly listPage: number };

/** spire-controller-manager's sizes (pkg/spireapi/batch.go). */
export const defaultBatchSizes: BatchSizes = { create: 50, update: 50, delete: 200, listPage: 200 };

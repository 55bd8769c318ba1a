// The one interface through which the registrar talks to SPIRE's Entry API. Implementations:
//   adapters/spire/entry-store.grpc.ts     real gRPC client (unix:// socket, or TCP + mTLS via the agent)
//   adapters/spire-memory/entry-store.memory.ts  direct, in-process, over the in-memory SPIRE server
// Both batch and page internally and return exactly one result per input, in input order.
import type { Entry, Selector } from '../handlers/entries/entry.js';
import type { Status } from '../handlers/entries/status-code.js';

export type MatchBehavior = 'exact' | 'subset' | 'superset' | 'any';

export type EntryFilter = {
  readonly bySpiffeId?: string;
  readonly byParentId?: string;
  readonly bySelectors?: { readonly selectors: readonly Selector[]; readonly match: MatchBehavior };
  readonly byFederatesWith?: { readonly trustDomains: readonly string[]; readonly match: MatchBehavior };
  readonly byHint?: string;
  readonly byDownstream?: boolean;
};

/** Which fields an update writes (absent = full replace, as SPIRE treats a null input_mask). */
export type EntryMask = Partial<Record<Exclude<keyof Entry, 'id'>, boolean>>;

/** Create/update result: `entry` is set on OK, and on ALREADY_EXISTS when the server found a similar entry. */
export type EntryResult = { readonly status: Status; readonly entry?: Entry };
export type DeleteResult = { readonly status: Status; readonly id: string };

export type CallOptions = { readonly signal?: AbortSignal };

export type ListOptions = CallOptions & {
  /**
   * Entries per ListEntries call; default: the store's list page size. 0 turns paging off: one call
   * returns every match (SPIRE sets no maximum), for filters known to match a handful of entries, where
   * paging would cost a second, empty call (a non-empty page always carries a token).
   */
  readonly pageSize?: number;
  /**
   * Hands each page to the caller as it arrives instead of collecting them: the call then resolves to
   * the entries not handed over (none, for the stores here). A caller that folds a full listing into
   * its own structure keeps only what it needs, and no page outlives its own processing. A caller must
   * still fold in the returned entries (a store may ignore this option).
   */
  readonly onPage?: (page: readonly Entry[]) => void;
};

export interface EntryStore {
  /** Every entry matching the filter, all pages (or those not handed to `options.onPage`). */
  listEntries(filter?: EntryFilter, options?: ListOptions): Promise<Entry[]>;
  /** Rejects with a SpireCallError (NOT_FOUND for an unknown id). */
  getEntry(id: string, options?: CallOptions): Promise<Entry>;
  countEntries(filter?: EntryFilter, options?: CallOptions): Promise<number>;
  createEntries(entries: readonly Entry[], options?: CallOptions): Promise<EntryResult[]>;
  updateEntries(entries: readonly Entry[], mask?: EntryMask, options?: CallOptions): Promise<EntryResult[]>;
  deleteEntries(ids: readonly string[], options?: CallOptions): Promise<DeleteResult[]>;
  close(): Promise<void>;
}

/** A whole call failed (as opposed to one item in a batch). `code` is a google.rpc.Code. */
export class SpireCallError extends Error {
  readonly code: number;
  constructor(message: string, code: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpireCallError';
    this.code = code;
  }
}

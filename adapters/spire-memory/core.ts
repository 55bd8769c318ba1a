// The in-memory SPIRE server's state machine: entries, CA, call counters and faults. gRPC (grpc-server.ts)
// and the in-process EntryStore (entry-store.memory.ts) both call these methods, so both see the same
// behaviour, counters and faults. Clock and ID generator are injected.
import { randomUUID } from 'node:crypto';
import { type Ca, createCa } from '../x509/index.js';
import type * as W from '../spire/wire-types.js';
import * as entries from './entry-service.js';
import { EntryTable } from './entry-table.js';
import { Faults } from './faults.js';
import { cloneEntry } from './output-mask.js';
import * as svid from './svid-service.js';

export const rpcMethods = [
  'CountEntries', 'ListEntries', 'GetEntry', 'BatchCreateEntry', 'BatchUpdateEntry', 'BatchDeleteEntry', 'MintX509SVID', 'GetBundle', 'FetchX509SVID',
] as const;
export type RpcMethod = (typeof rpcMethods)[number];

export type MemorySpireCoreOptions = {
  readonly trustDomain?: string;
  readonly now?: () => Date;
  readonly newId?: () => string;
  /** Trust domains with a federated bundle; a real server starts with none. The sandbox passes 'any'. */
  readonly federatedTrustDomains?: readonly string[] | 'any';
  /** Default: a fresh CA with URI SAN `spiffe://<trustDomain>`. */
  readonly ca?: Ca;
};

export class MemorySpireCore {
  readonly trustDomain: string;
  readonly ca: Ca;
  readonly faults = new Faults();
  readonly now: () => Date;
  readonly #table = new EntryTable();
  readonly #ctx: entries.EntryServiceContext;
  #calls = MemorySpireCore.#zeroCalls();

  private constructor(options: MemorySpireCoreOptions, ca: Ca) {
    this.trustDomain = options.trustDomain ?? 'example.org';
    this.ca = ca;
    this.now = options.now ?? (() => new Date());
    const federated = options.federatedTrustDomains ?? [];
    this.#ctx = {
      trustDomain: this.trustDomain,
      table: this.#table,
      now: this.now,
      newId: options.newId ?? randomUUID,
      hasFederatedBundle: (td) => federated === 'any' || federated.includes(td),
    };
  }

  static async create(options: MemorySpireCoreOptions = {}): Promise<MemorySpireCore> {
    const td = options.trustDomain ?? 'example.org';
    const ca = options.ca ?? (await createCa({ commonName: `${td} in-memory SPIRE CA`, uriSan: `spiffe://${td}`, ...(options.now ? { now: options.now() } : {}) }));
    return new MemorySpireCore(options, ca);
  }

  static #zeroCalls(): Record<RpcMethod, number> {
    return Object.fromEntries(rpcMethods.map((m) => [m, 0])) as Record<RpcMethod, number>;
  }

  /** Calls per RPC since start or the last resetCalls(), counted before faults apply. */
  calls(): Record<RpcMethod, number> {
    return { ...this.#calls };
  }

  resetCalls(): void {
    this.#calls = MemorySpireCore.#zeroCalls();
  }

  /** Every stored entry, in creation order (copies). */
  entries(): W.WireEntry[] {
    return this.#table.rows().map((r) => cloneEntry(r.entry));
  }

  /** Puts entries in as they are (ids, revisions, created_at kept), e.g. from a seed file. No validation. */
  restore(list: readonly W.WireEntry[]): void {
    for (const e of list) this.#table.insert(e);
  }

  /** Counts the call, applies faults, then runs the RPC. RpcError marks a whole-call failure. */
  async invoke<T>(method: RpcMethod, run: () => T | Promise<T>): Promise<T> {
    this.#calls[method] += 1;
    await this.faults.before(method);
    return run();
  }

  countEntries(req: W.CountEntriesRequest) { return this.invoke('CountEntries', () => entries.countEntries(req, this.#ctx)); }
  listEntries(req: W.ListEntriesRequest) { return this.invoke('ListEntries', () => entries.listEntries(req, this.#ctx)); }
  getEntry(req: W.GetEntryRequest) { return this.invoke('GetEntry', () => entries.getEntry(req, this.#ctx)); }
  batchCreateEntry(req: W.BatchCreateEntryRequest) { return this.invoke('BatchCreateEntry', () => entries.batchCreateEntry(req, this.#ctx)); }
  batchUpdateEntry(req: W.BatchUpdateEntryRequest) { return this.invoke('BatchUpdateEntry', () => entries.batchUpdateEntry(req, this.#ctx)); }
  batchDeleteEntry(req: W.BatchDeleteEntryRequest) { return this.invoke('BatchDeleteEntry', () => entries.batchDeleteEntry(req, this.#ctx)); }
  mintX509Svid(req: W.MintX509SvidRequest) { return this.invoke('MintX509SVID', () => svid.mintX509Svid(req, this.ca, this.trustDomain, this.now())); }
  getBundle(req: W.GetBundleRequest) { return this.invoke('GetBundle', () => svid.getBundle(req, this.ca, this.trustDomain)); }
}

// The Entry service's semantics over an EntryTable (docs/spire-entry-api.md section 2): one
// result per input in input order, items applied one after another with no rollback.
import { parseTrustDomain } from '../../handlers/entries/spiffe-id.js';
import { StatusCode, okStatus, type Status } from '../../handlers/entries/status-code.js';
import type * as W from '../spire/wire-types.js';
import { type EntryTable, type Row } from './entry-table.js';
import { compileFilter } from './entry-filters.js';
import { convertEntry, datastoreError, duplicateError, inMask, type Op } from './entry-rules.js';
import { applyOutputMask } from './output-mask.js';
import { RpcError, status } from './rpc-error.js';

export type EntryServiceContext = {
  readonly trustDomain: string;
  readonly table: EntryTable;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly hasFederatedBundle: (trustDomain: string) => boolean;
};

/** Stores IDs with a bare trust domain even when the request used `spiffe://td`. */
function normalizeId(id: W.WireSpiffeId | null): W.WireSpiffeId | null {
  if (!id) return null;
  const td = parseTrustDomain(id.trust_domain);
  return { trust_domain: td.ok ? td.value : id.trust_domain, path: id.path };
}

function missingBundle(federatesWith: readonly string[], ctx: EntryServiceContext, op: Op): Status | undefined {
  const missing = federatesWith.find((td) => !ctx.hasFederatedBundle(td));
  return missing === undefined ? undefined : status(StatusCode.INTERNAL, `failed to ${op} entry: unable to find federated bundle "spiffe://${missing}"`);
}

function createOne(e: W.WireEntry, ctx: EntryServiceContext, outputMask: W.WireEntryMask | null | undefined): W.EntryResultWire {
  const fail = (s: Status): W.EntryResultWire => ({ status: s, entry: null });
  const conv = convertEntry(e, ctx.trustDomain, null);
  if (!conv.ok) return fail(conv.status);
  const stored: W.WireEntry = {
    ...e,
    spiffe_id: normalizeId(e.spiffe_id),
    parent_id: normalizeId(e.parent_id),
    selectors: e.selectors.map((s) => ({ type: s.type, value: s.value })),
    federates_with: conv.federatesWith,
    dns_names: [...e.dns_names],
    revision_number: 0,
    created_at: Math.round(ctx.now().getTime() / 1000),
    additional_attributes: e.additional_attributes ? { ...e.additional_attributes } : null,
  };
  const invalid = datastoreError(stored, 'create');
  if (invalid) return fail(invalid);
  const similar = ctx.table.findSimilar(stored);
  if (similar) return { status: status(StatusCode.ALREADY_EXISTS, 'similar entry already exists'), entry: applyOutputMask(similar.entry, outputMask) };
  if (stored.id === '') {
    do stored.id = ctx.newId(); while (ctx.table.has(stored.id));
  } else if (ctx.table.has(stored.id)) {
    return fail(status(StatusCode.ALREADY_EXISTS, 'failed to create entry: datastore-sql: UNIQUE constraint failed: registered_entries.entry_id'));
  }
  const problem = missingBundle(stored.federates_with, ctx, 'create') ?? duplicateError(stored, 'create');
  if (problem) return fail(problem);
  ctx.table.insert(stored);
  return { status: okStatus, entry: applyOutputMask(stored, outputMask) };
}

export function batchCreateEntry(req: W.BatchCreateEntryRequest, ctx: EntryServiceContext): W.BatchEntryResponse {
  return { results: req.entries.map((e) => createOne(e, ctx, req.output_mask)) };
}

const updatable: readonly W.EntryMaskField[] = [
  'spiffe_id', 'parent_id', 'selectors', 'x509_svid_ttl', 'federates_with', 'admin', 'downstream', 'expires_at',
  'dns_names', 'store_svid', 'jwt_svid_ttl', 'hint', 'additional_attributes',
];

function updateOne(e: W.WireEntry, ctx: EntryServiceContext, inputMask: W.WireEntryMask | null | undefined,
  outputMask: W.WireEntryMask | null | undefined): W.EntryResultWire {
  const fail = (s: Status): W.EntryResultWire => ({ status: s, entry: null });
  const conv = convertEntry(e, ctx.trustDomain, inputMask);
  if (!conv.ok) return fail(conv.status);
  const row = e.id === '' ? undefined : ctx.table.get(e.id);
  if (!row) return fail(status(StatusCode.NOT_FOUND, 'failed to update entry'));
  const source: W.WireEntry = { ...e, spiffe_id: normalizeId(e.spiffe_id), parent_id: normalizeId(e.parent_id), federates_with: conv.federatesWith };
  const merged: Record<string, unknown> = { ...row.entry };
  for (const field of updatable) if (inMask(inputMask, field)) merged[field] = structuredClone(source[field] ?? null);
  const next = { ...(merged as W.WireEntry), revision_number: row.entry.revision_number + 1 };
  const problem = datastoreError(next, 'update')
    ?? (inMask(inputMask, 'federates_with') ? missingBundle(next.federates_with, ctx, 'update') : undefined)
    ?? duplicateError(next, 'update');
  if (problem) return fail(problem);
  ctx.table.replace(row.entry.id, next);
  return { status: okStatus, entry: applyOutputMask(next, outputMask) };
}

export function batchUpdateEntry(req: W.BatchUpdateEntryRequest, ctx: EntryServiceContext): W.BatchEntryResponse {
  return { results: req.entries.map((e) => updateOne(e, ctx, req.input_mask, req.output_mask)) };
}

export function batchDeleteEntry(req: W.BatchDeleteEntryRequest, ctx: EntryServiceContext): W.BatchDeleteEntryResponse {
  return {
    results: req.ids.map((id) => {
      if (id === '') return { status: status(StatusCode.INVALID_ARGUMENT, 'missing entry ID'), id };
      if (!ctx.table.delete(id)) return { status: status(StatusCode.NOT_FOUND, 'entry not found'), id };
      return { status: okStatus, id };
    }),
  };
}

export function getEntry(req: W.GetEntryRequest, ctx: EntryServiceContext): W.WireEntry {
  if (req.id === '') throw new RpcError(StatusCode.INVALID_ARGUMENT, 'missing ID');
  const row = ctx.table.get(req.id);
  if (!row) throw new RpcError(StatusCode.NOT_FOUND, 'entry not found');
  return applyOutputMask(row.entry, req.output_mask);
}

export function countEntries(req: W.CountEntriesRequest, ctx: EntryServiceContext): W.CountEntriesResponse {
  const f = compileFilter(req.filter, ctx.trustDomain);
  return { count: ctx.table.rows().filter((r) => f.matches(r.entry) && (!f.downstreamOnly || r.entry.downstream)).length };
}

/**
 * Paging follows the SQL store: rows after the token in creation order, page_size of them, and the last
 * row number as the next token whenever the page is non-empty, so the listing ends with one empty call.
 * by_downstream is applied after the page window (SPIRE quirk: a window without downstream entries ends
 * the listing early).
 */
export function listEntries(req: W.ListEntriesRequest, ctx: EntryServiceContext): W.ListEntriesResponse {
  const f = compileFilter(req.filter, ctx.trustDomain);
  const token = req.page_token ?? '';
  if (token !== '' && !/^\d+$/.test(token)) throw new RpcError(StatusCode.INTERNAL, `failed to list entries: could not parse token '${token}'`);
  const after = token === '' ? 0 : Number(token);
  const pageSize = req.page_size ?? 0;
  // One pass in creation order that stops once the window is full (no copy of the whole table per page).
  const window: Row[] = [];
  for (const r of ctx.table.scan()) {
    if (r.row <= after || !f.matches(r.entry)) continue;
    window.push(r);
    if (pageSize > 0 && window.length === pageSize) break;
  }
  const page = f.downstreamOnly ? window.filter((r) => r.entry.downstream) : window;
  const last = window[window.length - 1];
  return {
    entries: page.map((r) => applyOutputMask(r.entry, req.output_mask)),
    next_page_token: pageSize > 0 && page.length > 0 && last ? String(last.row) : '',
  };
}

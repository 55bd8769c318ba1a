// ListEntries / CountEntries filters (docs/spire-entry-api.md 2.6): validated as a whole (a bad
// filter fails the RPC with INVALID_ARGUMENT), then combined with AND into one predicate.
import { formatSelector } from '../../handlers/entries/selectors.js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import { WireMatch, type WireEntry, type WireEntryFilter } from '../spire/wire-types.js';
import { wireIdText } from './entry-table.js';
import { checkFederatedTrustDomain, checkMemberId, checkWorkloadId } from './id-rules.js';
import { RpcError } from './rpc-error.js';
import { selectorError } from './selector-rules.js';

export type EntryPredicate = (e: WireEntry) => boolean;

export type CompiledFilter = {
  readonly matches: EntryPredicate;
  /** by_downstream=true: SPIRE applies it after the page window (see listPage). */
  readonly downstreamOnly: boolean;
};

const bad = (message: string) => new RpcError(StatusCode.INVALID_ARGUMENT, message);

/** Set relation between an entry's values E and the filter's values F, per MatchBehavior. */
export function setMatches(entryValues: readonly string[], filterValues: readonly string[], match: number): boolean {
  const e = new Set(entryValues);
  const f = new Set(filterValues);
  const eInF = [...e].every((v) => f.has(v));
  const fInE = [...f].every((v) => e.has(v));
  switch (match) {
    case WireMatch.EXACT: return eInF && fInE;
    case WireMatch.SUBSET: return e.size > 0 && eInF;
    case WireMatch.SUPERSET: return fInE;
    case WireMatch.ANY: return [...e].some((v) => f.has(v));
    default: return false;
  }
}

/** Throws RpcError(INVALID_ARGUMENT) for a malformed filter. */
export function compileFilter(filter: WireEntryFilter | null | undefined, td: string): CompiledFilter {
  const tests: EntryPredicate[] = [];
  let downstreamOnly = false;
  if (filter?.by_spiffe_id) {
    const id = checkWorkloadId(filter.by_spiffe_id, td);
    if (!id.ok) throw bad(`malformed SPIFFE ID filter: ${id.error}`);
    tests.push((e) => wireIdText(e.spiffe_id) === id.id);
  }
  if (filter?.by_parent_id) {
    const id = checkMemberId(filter.by_parent_id, td);
    if (!id.ok) throw bad(`malformed parent ID filter: ${id.error}`);
    tests.push((e) => wireIdText(e.parent_id) === id.id);
  }
  if (filter?.by_selectors) {
    const { selectors, match } = filter.by_selectors;
    if (selectors.length === 0) throw bad('malformed selectors filter: empty selector set');
    for (const s of selectors) {
      const err = selectorError(s);
      if (err) throw bad(`malformed selectors filter: ${err}`);
    }
    const wanted = selectors.map(formatSelector);
    tests.push((e) => setMatches(e.selectors.map(formatSelector), wanted, match));
  }
  if (filter?.by_federates_with) {
    const { trust_domains, match } = filter.by_federates_with;
    if (trust_domains.length === 0) throw bad('malformed federates with filter: empty trust domain set');
    const wanted: string[] = [];
    for (const value of trust_domains) {
      const t = checkFederatedTrustDomain(value);
      if (!t.ok) throw bad(`malformed federates with filter: ${t.error}`);
      wanted.push(t.name);
    }
    // An entry that federates with nothing never matches, whatever the behaviour.
    tests.push((e) => e.federates_with.length > 0 && setMatches(e.federates_with, wanted, match));
  }
  if (filter?.by_hint && filter.by_hint.value !== '') {
    const hint = filter.by_hint.value;
    tests.push((e) => e.hint === hint);
  }
  if (filter?.by_downstream?.value === true) downstreamOnly = true;
  return { matches: (e) => tests.every((t) => t(e)), downstreamOnly };
}

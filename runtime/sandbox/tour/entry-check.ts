// The tour's check of SPIRE's entries against the tutorial's expectations. Entry IDs, revisions and DNS
// names are not compared: an entry is its SPIFFE ID, parent ID and selector set (with UIDs resolved
// from the cluster before the expectation is written).
import type { Entry } from '../../../handlers/entries/entry.js';
import { formatSelector } from '../../../handlers/entries/selectors.js';

export type ExpectedEntry = { readonly spiffeId: string; readonly parentId: string; readonly selectors: readonly string[] };

export type EntryCheck = { readonly ok: boolean; readonly missing: readonly string[]; readonly extra: readonly string[] };

export function describeEntry(e: ExpectedEntry): string {
  return `${e.spiffeId} <- ${e.parentId} [${[...e.selectors].sort().join(' ')}]`;
}

export function shapeOf(e: Entry): ExpectedEntry {
  return { spiffeId: e.spiffeId, parentId: e.parentId, selectors: e.selectors.map(formatSelector).sort() };
}

/** Missing and extra entries, as multisets (a duplicate entry counts as extra). */
export function checkEntries(actual: readonly Entry[], expected: readonly ExpectedEntry[]): EntryCheck {
  const want = expected.map(describeEntry);
  const extra: string[] = [];
  for (const have of actual.map((e) => describeEntry(shapeOf(e)))) {
    const i = want.indexOf(have);
    if (i >= 0) want.splice(i, 1);
    else extra.push(have);
  }
  return { ok: want.length === 0 && extra.length === 0, missing: want.sort(), extra: extra.sort() };
}

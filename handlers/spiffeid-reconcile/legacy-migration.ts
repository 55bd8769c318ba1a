import type { Entry, Selector } from '../entries/entry.js';

// A legacy entry (made by the original registrar: status.entryId names it and it has exactly the key the
// SpiffeID declares, entry-ownership.ts) is moved to an entry with the registrar's own ID as soon as a
// valid SpiffeID holds it. It is held only through that key: were it kept, the first edit of the spec
// would leave it unheld, never updated or deleted, and SPIRE would go on issuing the old identity beside
// the new entry. Our own entry is held by its ID, so later edits update it in place.
//
// SPIRE refuses to create an entry similar to an existing one (same SPIFFE ID, parent ID and selector
// set: ALREADY_EXISTS, docs/spire-entry-api.md 2.3), but does not check similarity on update (2.4). So:
//   1. create ours under a stand-in key: the declared selectors plus one that no workload or node
//      carries, so it issues nothing;
//   2. update ours to the declared selectors: from here both entries issue the same identity, to the
//      same workload, with the same parent;
//   3. delete the legacy entry;
//   4. status.entryId names ours.
// Each step runs only after the one before succeeded. A pass cut short leaves ours (stand-in or declared)
// beside the legacy entry and the status still naming the legacy one, so the next pass sees both and goes
// on from there. The workload is never without an entry. Deleting first and creating second would leave
// it without one between the two calls (or until the next pass, if the create failed); the overlap in
// step 2 is one identity issued twice for a moment, never two identities.

/** No attestor produces this selector type: an entry that requires it matches no workload and no node. */
export const STAND_IN_SELECTOR: Selector = { type: 'k8s-workload-registrar', value: 'migrating' };

/** `e` under a key no workload matches (and no other entry has), for step 1. */
export function standInEntry(e: Entry): Entry {
  return { ...e, selectors: [...e.selectors, STAND_IN_SELECTOR] };
}

/** `e` without the stand-in selector: the key step 1 wrote it for (a move cut short, see movingLegacyBy). */
export function withoutStandIn(e: Entry): Entry {
  const kept = e.selectors.filter((x) => x.type !== STAND_IN_SELECTOR.type || x.value !== STAND_IN_SELECTOR.value);
  return kept.length === e.selectors.length ? e : { ...e, selectors: kept };
}

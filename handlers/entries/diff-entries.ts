// The level-based plan: what to create, update and delete so that SPIRE's owned entries equal the
// declared ones. Pure and deterministic (sorted by entry key), so two replicas plan the same thing and the
// plan itself is unit-tested. Vocabulary from spire-controller-manager pkg/spireentry/reconciler.go.
import type { Entry, Selector } from './entry.js';
import { entryKey } from './entry-key.js';
import type { Ownership } from './ownership.js';

/** An entry some Kubernetes object asks for; `source` names that object (`pod/<ns>/<name>`). */
export type DeclaredEntry = { readonly entry: Entry; readonly source: string };

export type EntryPlan = {
  readonly create: readonly Entry[];
  /** Full replacements; each carries the ID of the current entry it rewrites. */
  readonly update: readonly Entry[];
  /** Current entries to delete (whole entries, so that the shell can log what went). */
  readonly delete: readonly Entry[];
  /** Declared entries that lost to another declaring the same key. */
  readonly masked: readonly DeclaredEntry[];
};

export function isEmptyPlan(p: EntryPlan): boolean {
  return p.create.length === 0 && p.update.length === 0 && p.delete.length === 0;
}

/**
 * - Only entries `own` recognises are ever updated or deleted; the rest of `current` is ignored.
 * - Same key (SPIFFE ID, parent ID, selector set) on both sides: keep the current entry with the lowest
 *   ID, update it when another field differs, delete the other duplicates. The lowest ID is the original
 *   registrar's choice too (base_controller.go), so replicas and old versions agree on the survivor.
 * - A declared key with no current entry takes over an unmatched current entry of the same object (lowest
 *   ID) by update, so a changed label or node rewrites the SPIFFE/parent ID without a gap in which the
 *   workload has no SVID; only when the object has none is an entry created.
 * - Unmatched owned entries are deleted.
 */
export function diffEntries(declared: readonly DeclaredEntry[], current: readonly Entry[], own: Ownership): EntryPlan {
  // Nothing is sorted whole: a resync of ~10^5 unchanged entries sorted both sides by their long keys
  // (most of the pass's diff time at 50,000 pods). Only what ends up in the plan is put in order, which
  // gives the same plan as sorting everything first.
  const wanted = new Map<string, Keyed>();
  const losers: Keyed[] = [];
  declared.forEach((d, i) => {
    const k = entryKey(d.entry);
    const held = wanted.get(k);
    const mine = { d, k, i };
    if (!held) wanted.set(k, mine);
    else if (byKeySourceIndex(mine, held) < 0) {
      losers.push(held);
      wanted.set(k, mine);
    } else losers.push(mine);
  });

  const have = new Map<string, Entry[]>();
  for (const e of current) {
    if (own.objectOf(e) === undefined) continue;
    const k = entryKey(e);
    const list = have.get(k);
    if (list) list.push(e);
    else have.set(k, [e]);
  }

  const update: Entry[] = [];
  const del: Entry[] = [];
  const unplaced: Keyed[] = [];
  for (const [k, w] of wanted) {
    const list = have.get(k);
    if (!list) {
      unplaced.push(w);
      continue;
    }
    have.delete(k);
    if (list.length > 1) list.sort(byId);
    const [keep, ...extra] = list as [Entry, ...Entry[]];
    if (!sameEntryContent(keep, w.d.entry)) update.push({ ...w.d.entry, id: keep.id });
    del.push(...extra);
  }

  const leftByObject = new Map<string, Entry[]>();
  for (const e of [...have.values()].flat().sort(byId)) {
    const o = own.objectOf(e) as string;
    const list = leftByObject.get(o);
    if (list) list.push(e);
    else leftByObject.set(o, [e]);
  }
  // In key order: of two new keys of one object, the first takes that object's lowest-ID leftover.
  const create: Entry[] = [];
  for (const { d } of unplaced.sort(byKeySourceIndex)) {
    const o = own.objectOf(d.entry);
    const reuse = o === undefined ? undefined : leftByObject.get(o)?.shift();
    if (reuse) update.push({ ...d.entry, id: reuse.id });
    else create.push({ ...d.entry, id: '' });
  }
  for (const list of leftByObject.values()) del.push(...list);

  return {
    create,
    update: sortByKeyThenId(update),
    delete: sortByKeyThenId(del),
    masked: losers.sort(byKeySourceIndex).map(({ d }) => d),
  };
}

/**
 * True when `held` already is what `declared` asks for: same SPIFFE ID, parent ID and selectors (in the
 * same order; a different order answers false, and the caller runs the diff, which compares sets) and
 * every updatable field the same, so that diffEntries would plan nothing for the pair alone.
 */
export function alreadyHeld(declared: Entry, held: Entry): boolean {
  if (declared.spiffeId !== held.spiffeId || declared.parentId !== held.parentId) return false;
  const a = declared.selectors;
  const b = held.selectors;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Selector;
    const y = b[i] as Selector;
    if (x.type !== y.type || x.value !== y.value) return false;
  }
  return sameEntryContent(held, declared);
}

/** A declared entry with its key and its position in the input (ties keep input order, as a stable sort). */
type Keyed = { readonly d: DeclaredEntry; readonly k: string; readonly i: number };

function byKeySourceIndex(a: Keyed, b: Keyed): number {
  return compare(a.k, b.k) || compare(a.d.source, b.d.source) || a.i - b.i;
}

/** True when every field SPIRE lets us update matches; DNS names and federatesWith compare as sets. */
function sameEntryContent(a: Entry, b: Entry): boolean {
  return (
    a.x509SvidTtl === b.x509SvidTtl &&
    a.jwtSvidTtl === b.jwtSvidTtl &&
    a.admin === b.admin &&
    a.downstream === b.downstream &&
    a.expiresAt === b.expiresAt &&
    a.storeSvid === b.storeSvid &&
    a.hint === b.hint &&
    sameSet(a.dnsNames, b.dnsNames) &&
    sameSet(a.federatesWith.map(bareTrustDomain), b.federatesWith.map(bareTrustDomain))
  );
}

/** SPIRE stores federates_with as `spiffe://td` but returns bare names; either spelling means the same. */
function bareTrustDomain(td: string): string {
  return td.startsWith('spiffe://') ? td.slice('spiffe://'.length) : td;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 && b.length === 0) return true;
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((s, i) => s === y[i]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byId(a: Entry, b: Entry): number {
  return compare(a.id, b.id);
}

function sortByKeyThenId(list: readonly Entry[]): Entry[] {
  return list
    .map((e) => ({ e, k: entryKey(e) }))
    .sort((a, b) => compare(a.k, b.k) || byId(a.e, b.e))
    .map(({ e }) => e);
}

/**
 * The plans of disjoint parts of one diff (each part: the declared entries of some objects and the held
 * entries of the same objects), as one plan in the order diffEntries gives for the whole. Exact when no
 * key occurs in two parts: an entry's key names its object (ownership.ts), so parts split by object have
 * disjoint keys; parts are given in input order, and ties keep it (stable sort).
 */
export function mergePlans(parts: readonly EntryPlan[]): EntryPlan {
  if (parts.length === 1) return parts[0] as EntryPlan;
  const byKey = <T>(items: T[], entry: (t: T) => Entry): T[] =>
    items.map((t) => ({ t, k: entryKey(entry(t)) })).sort((a, b) => compare(a.k, b.k)).map(({ t }) => t);
  return {
    create: byKey(parts.flatMap((p) => p.create), (e) => e),
    update: sortByKeyThenId(parts.flatMap((p) => p.update)),
    delete: sortByKeyThenId(parts.flatMap((p) => p.delete)),
    masked: byKey(parts.flatMap((p) => p.masked), (d) => d.entry),
  };
}

import type { Entry } from '../entries/entry.js';
import { entryKey } from '../entries/entry-key.js';
import type { SpiffeId } from '../spiffeid/spiffeid.js';
import { withoutStandIn } from './legacy-migration.js';

// Which SPIRE entry belongs to which SpiffeID, decided from what the registrar made, never from a field a
// user can write. A SpiffeID's entry is created with an ID the registrar chooses: a per-cluster prefix
// plus the SpiffeID's UID (SPIRE accepts client-chosen IDs of 1-255 characters from [A-Za-z0-9._-],
// docs/spire-entry-api.md 2.3 and 4.2; spire-controller-manager does the same with its entryIDPrefix).
// The API server assigns UIDs, so nobody can make a SpiffeID whose UID names another's entry.
// `status.entryId` is only a cache. An entry it names that does not carry our prefix (made by the
// original registrar, or by this one before entry IDs were chosen) is adopted only when its SPIFFE ID,
// parent ID and selector set are exactly what the SpiffeID declares, and then moved to our own ID
// (legacy-migration.ts); otherwise it is never updated or deleted. The original trusted status.entryId alone, which let anyone who can write a SpiffeID's status
// have another entry rewritten or deleted.

const REGISTRAR_ID_ROOT = 'k8s-workload-registrar.';

/** `k8s-workload-registrar.<cluster>.`, the cluster as entryIdCluster gives it. */
export function entryIdPrefix(cluster: string): string {
  return `${REGISTRAR_ID_ROOT}${entryIdCluster(cluster)}.`;
}

/** The cluster as entry IDs hold it: characters SPIRE refuses in an entry ID become `_`. */
export function entryIdCluster(cluster: string): string {
  return cluster.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** SPIRE's limit on a client-chosen entry ID (docs/spire-entry-api.md 2.2). */
export const MAX_ENTRY_ID_CHARS = 255;
/** A Kubernetes UID: a UUID, 36 characters as text. */
const UID_CHARS = 36;

/**
 * Why `cluster` cannot name this registrar's entries, or undefined: the IDs it makes would be longer than
 * SPIRE accepts, and every entry create would fail.
 */
export function clusterEntryIdProblem(cluster: string): string | undefined {
  const longest = entryIdPrefix(cluster).length + UID_CHARS;
  if (longest <= MAX_ENTRY_ID_CHARS) return undefined;
  const most = MAX_ENTRY_ID_CHARS - (longest - cluster.length);
  return `is ${cluster.length} characters long; crd mode names entries ${REGISTRAR_ID_ROOT}<cluster>.<SpiffeID UID>, which would be ${longest} characters, and SPIRE accepts at most ${MAX_ENTRY_ID_CHARS} (use at most ${most})`;
}

/**
 * Whether `id` is an entry ID this registrar (this cluster) chose: the prefix and then a UID, which never
 * contains a dot. A plain prefix test is not enough: cluster `prod`'s prefix begins every ID of cluster
 * `prod.eu` (two registrars sharing one SPIRE server), whose entries it must never take for orphans.
 */
export function isOwnEntryId(prefix: string, id: string): boolean {
  return id.length > prefix.length && id.startsWith(prefix) && !id.includes('.', prefix.length);
}

/** The ID of the entry the registrar creates for the SpiffeID with this UID. */
export function ownEntryId(prefix: string, s: Pick<SpiffeId, 'metadata'>): string {
  return `${prefix}${s.metadata.uid}`;
}

/** How the SpiffeID holds its entry: `created` (our ID for it) or `adopted` (a legacy entry, exact match). */
export type Holding = { readonly entry: Entry; readonly how: 'created' | 'adopted' };

/**
 * The entry `s` holds, if any.
 * @param want the entry `s` declares (its key decides whether a legacy entry may be adopted)
 */
export function heldEntry(s: SpiffeId, want: Entry, byId: ReadonlyMap<string, Entry>, prefix: string): Holding | undefined {
  return heldEntryBy(ownEntryId(prefix, s), s.status.entryId, entryKey(want), byId, entryKey);
}

/**
 * heldEntry from what it reads of the SpiffeID: the ID the registrar chose for it (ownEntryId), the
 * entry ID its status names, and the key of the entry it declares. `keyOf` is entryKey (or a memo of it).
 */
export function heldEntryBy(
  ownId: string,
  statusEntryId: string | null | undefined,
  wantKey: string,
  byId: ReadonlyMap<string, Entry>,
  keyOf: (e: Entry) => string = entryKey,
): Holding | undefined {
  const created = byId.get(ownId);
  if (created) return { entry: created, how: 'created' };
  const legacy = legacyEntryBy(statusEntryId, wantKey, byId, keyOf);
  return legacy ? { entry: legacy, how: 'adopted' } : undefined;
}

/**
 * The legacy entry `s` may adopt (and then moves to our own ID, legacy-migration.ts): the one its status
 * names, with exactly the key of `want`, the entry `s` declares. The caller checks that `s` is valid.
 */
export function legacyEntry(s: SpiffeId, want: Entry, byId: ReadonlyMap<string, Entry>): Entry | undefined {
  return legacyEntryBy(s.status.entryId, entryKey(want), byId, entryKey);
}

/** legacyEntry from the entry ID the status names and the key of the declared entry. */
export function legacyEntryBy(
  statusEntryId: string | null | undefined,
  wantKey: string,
  byId: ReadonlyMap<string, Entry>,
  keyOf: (e: Entry) => string = entryKey,
): Entry | undefined {
  const named = statusEntryId ?? '';
  // An ID any instance of this registrar chose (this cluster's or another's) is never adopted as legacy.
  if (named === '' || named.startsWith(REGISTRAR_ID_ROOT)) return undefined;
  const legacy = byId.get(named);
  return legacy && keyOf(legacy) === wantKey ? legacy : undefined;
}

/**
 * The legacy entry of a move a pass cut short (legacy-migration.ts) after the spec was edited, so that it no
 * longer has the declared key: the entry the status names whose key is the one our own entry (`ours`, the
 * entry with our ID for this SpiffeID) was written with, the stand-in selector aside. Our entry is only ever
 * written from a valid spec of this SpiffeID, and the move starts only from a legacy entry with exactly that
 * spec's key, so the match proves it is the one being moved. Left alone, it would go on issuing an identity
 * nobody declares any more, and nothing would ever delete it (its status is about to name ours).
 */
export function movingLegacyBy(
  statusEntryId: string | null | undefined,
  ours: Entry,
  byId: ReadonlyMap<string, Entry>,
  keyOf: (e: Entry) => string = entryKey,
): Entry | undefined {
  return legacyEntryBy(statusEntryId, keyOf(ours), byId, keyOf) ?? legacyEntryBy(statusEntryId, entryKey(withoutStandIn(ours)), byId, keyOf);
}

/**
 * Entries with our prefix whose SpiffeID no longer exists (e.g. deleted after its finalizer was removed by
 * hand), given the own entry IDs (ownEntryId) of every SpiffeID that exists.
 */
export function orphanedEntryIds(entries: readonly Entry[], known: ReadonlySet<string>, prefix: string): string[] {
  return entries.filter((e) => isOwnEntryId(prefix, e.id) && !known.has(e.id)).map((e) => e.id);
}

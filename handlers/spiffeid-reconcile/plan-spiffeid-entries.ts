import type { Entry } from '../entries/entry.js';
import { entryKey } from '../entries/entry-key.js';
import { sameSelectorSet } from '../entries/selectors.js';
import { spiffeIdEntry } from '../spiffeid/spiffeid-entry.js';
import { SPIFFEID_FINALIZER, spiffeIdKey, type SpiffeId } from '../spiffeid/spiffeid.js';
import { validateSpiffeId, type SpiffeIdRules } from '../spiffeid/validate-spiffeid.js';
import { desiredStatus, statusChanged, type DesiredStatus } from './status.js';

// The SpiffeID controller as one pure, level-based plan: all SpiffeIDs + one listing of SPIRE entries ->
// which entries to create, update and delete, which statuses to write, which finalizers to add/release.
// A SpiffeID owns the entry its status.entryId names; if that entry is gone (deleted in SPIRE, or a
// restarted registrar that never wrote the status), the entry with the same SPIFFE ID, parent ID and
// selectors is adopted; only when there is none is one created. So a restart creates no duplicates and
// an entry deleted in SPIRE is recreated on the next pass. Entries no SpiffeID refers to are left alone.
// Ref: spiffe/spire history, mode-crd/controllers/spiffeid_controller.go (finalizer, status.entryId,
// AlreadyExists adopts, NotFound on delete is success).

export type SpiffeIdRef = { readonly namespace: string; readonly name: string };

export type PlannedCreate = { readonly owner: SpiffeIdRef; readonly entry: Entry; readonly status: DesiredStatus };
export type PlannedStatus = { readonly owner: SpiffeIdRef; readonly status: DesiredStatus };
export type PlannedRelease = { readonly owner: SpiffeIdRef; readonly afterDeleting: readonly string[] };
export type PlannedProblem = { readonly owner: SpiffeIdRef; readonly reason: string; readonly message: string };

export type SpiffeIdPlan = {
  readonly addFinalizer: readonly SpiffeIdRef[];
  readonly deleteEntries: readonly string[];
  readonly createEntries: readonly PlannedCreate[];
  readonly updateEntries: readonly Entry[];
  readonly statuses: readonly PlannedStatus[];
  /** Release the finalizer once every listed delete succeeded (OK or NOT_FOUND). */
  readonly releaseFinalizer: readonly PlannedRelease[];
  readonly problems: readonly PlannedProblem[];
};

export function planSpiffeIdEntries(
  spiffeIds: readonly SpiffeId[],
  entries: readonly Entry[],
  rules: SpiffeIdRules,
  now: string,
): SpiffeIdPlan {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const byKey = new Map(entries.map((e) => [entryKey(e), e]));
  const sorted = [...spiffeIds].sort((a, b) => cmp(spiffeIdKey(a), spiffeIdKey(b)));
  const live = sorted.filter((s) => !s.metadata.deletionTimestamp);
  const dying = sorted.filter((s) => s.metadata.deletionTimestamp && hasFinalizer(s));

  const addFinalizer = live.filter((s) => !hasFinalizer(s)).map(ref);
  const deleteEntries: string[] = [];
  const createEntries: PlannedCreate[] = [];
  const updateEntries: Entry[] = [];
  const statuses: PlannedStatus[] = [];
  const problems: PlannedProblem[] = [];
  const claimed = new Set<string>();
  const setStatus = (s: SpiffeId, st: DesiredStatus) => {
    if (statusChanged(s, st)) statuses.push({ owner: ref(s), status: st });
  };

  // Valid live SpiffeIDs grouped by the entry they declare; one per key wins, the rest are masked.
  const groups = new Map<string, { s: SpiffeId; want: Entry }[]>();
  for (const s of live) {
    const problem = validateSpiffeId(s, rules);
    if (problem) {
      problems.push({ owner: ref(s), reason: 'InvalidSpiffeID', message: problem.message });
      setStatus(s, desiredStatus(s, null, { ready: false, reason: 'InvalidSpiffeID', message: problem.message }, now));
      continue;
    }
    const want = spiffeIdEntry(s);
    const k = entryKey(want);
    groups.set(k, [...(groups.get(k) ?? []), { s, want }]);
  }

  for (const [k, group] of groups) {
    const [winner, ...masked] = [...group].sort((a, b) => preference(a.s, b.s, k, byId));
    if (!winner) continue;
    for (const m of masked) {
      const message = `Duplicate detected: SpiffeID ${spiffeIdKey(winner.s)} already declares this entry`;
      problems.push({ owner: ref(m.s), reason: 'DuplicateEntry', message });
      setStatus(m.s, desiredStatus(m.s, null, { ready: false, reason: 'DuplicateEntry', message }, now));
    }
    const { s, want } = winner;
    const own = byId.get(s.status.entryId ?? '');
    const similar = byKey.get(k);
    // Prefer the entry that already has this key: updating another one to it would be refused as similar.
    // Our old entry is only moved to the new key when no other SpiffeID declares the key it has now.
    const ownMovable = own !== undefined && !groups.has(entryKey(own));
    const current = similar ?? (ownMovable ? own : undefined);
    if (!current) {
      // Only once the finalizer is on (a later pass): otherwise a SpiffeID deleted right now would leave
      // an entry nobody deletes. The original also added the finalizer first.
      if (hasFinalizer(s)) createEntries.push({ owner: ref(s), entry: want, status: desiredStatus(s, null, { ready: true }, now) });
      continue;
    }
    claimed.add(current.id);
    if (!sameEntry(current, want)) updateEntries.push({ ...current, ...pickWritable(want) });
    setStatus(s, desiredStatus(s, current.id, { ready: true }, now));
  }

  // Entries that live SpiffeIDs referred to but no longer own (spec became invalid, masked, moved to
  // another key): delete them, or SPIRE keeps issuing an identity nobody declares.
  for (const s of live) {
    const id = s.status.entryId ?? '';
    if (byId.has(id) && !claimed.has(id) && !deleteEntries.includes(id)) deleteEntries.push(id);
  }

  const releaseFinalizer: PlannedRelease[] = [];
  for (const s of dying) {
    const ids: string[] = [];
    const own = s.status.entryId ? byId.get(s.status.entryId) : undefined;
    // No recorded ID (e.g. crashed between create and status write): the entry with its key, if unclaimed.
    const fallback = !s.status.entryId && !validateSpiffeId(s, rules) ? byKey.get(entryKey(spiffeIdEntry(s))) : undefined;
    for (const e of [own, fallback]) {
      if (e && !claimed.has(e.id) && !ids.includes(e.id)) ids.push(e.id);
    }
    for (const id of ids) if (!deleteEntries.includes(id)) deleteEntries.push(id);
    releaseFinalizer.push({ owner: ref(s), afterDeleting: ids });
  }

  statuses.sort((a, b) => cmp(`${a.owner.namespace}/${a.owner.name}`, `${b.owner.namespace}/${b.owner.name}`));
  return { addFinalizer, deleteEntries, createEntries, updateEntries, statuses, releaseFinalizer, problems };
}

/** The fields a SpiffeID controls; everything else (TTLs, admin, hint...) is kept as SPIRE has it. */
export function pickWritable(e: Entry): Pick<Entry, 'spiffeId' | 'parentId' | 'selectors' | 'dnsNames' | 'federatesWith' | 'downstream'> {
  const { spiffeId, parentId, selectors, dnsNames, federatesWith, downstream } = e;
  return { spiffeId, parentId, selectors, dnsNames, federatesWith, downstream };
}

function sameEntry(a: Entry, b: Entry): boolean {
  return (
    a.spiffeId === b.spiffeId &&
    a.parentId === b.parentId &&
    sameSelectorSet(a.selectors, b.selectors) &&
    a.downstream === b.downstream &&
    JSON.stringify(a.dnsNames) === JSON.stringify(b.dnsNames) &&
    JSON.stringify([...a.federatesWith].sort()) === JSON.stringify([...b.federatesWith].sort())
  );
}

/** The SpiffeID that already holds the entry wins; then the oldest; then by namespace/name. */
function preference(a: SpiffeId, b: SpiffeId, key: string, byId: ReadonlyMap<string, Entry>): number {
  const holds = (s: SpiffeId) => {
    const e = byId.get(s.status.entryId ?? '');
    return e !== undefined && entryKey(e) === key ? 0 : 1;
  };
  return (
    holds(a) - holds(b) ||
    cmp(a.metadata.creationTimestamp ?? '', b.metadata.creationTimestamp ?? '') ||
    cmp(spiffeIdKey(a), spiffeIdKey(b))
  );
}

function hasFinalizer(s: SpiffeId): boolean {
  return (s.metadata.finalizers ?? []).includes(SPIFFEID_FINALIZER);
}

function ref(s: SpiffeId): SpiffeIdRef {
  return { namespace: s.metadata.namespace, name: s.metadata.name };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

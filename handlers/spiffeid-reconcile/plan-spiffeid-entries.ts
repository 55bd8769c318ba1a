import type { Entry } from '../entries/entry.js';
import { entryKey } from '../entries/entry-key.js';
import { sameSelectorSet } from '../entries/selectors.js';
import { spiffeIdEntry } from '../spiffeid/spiffeid-entry.js';
import { SPIFFEID_FINALIZER, spiffeIdKey, type SpiffeId } from '../spiffeid/spiffeid.js';
import { validateSpiffeId, type SpiffeIdRules } from '../spiffeid/validate-spiffeid.js';
import { heldEntry, legacyEntry, orphanedEntries, ownEntryId, type Holding } from './entry-ownership.js';
import { standInEntry } from './legacy-migration.js';
import { desiredStatus, statusChanged, type DesiredStatus, type NotReadyReason } from './status.js';

// The SpiffeID controller as one pure, level-based plan: all SpiffeIDs + the SPIRE entries we may own ->
// which entries to create, update and delete, which statuses to write, which finalizers to add/release.
// Which entry a SpiffeID holds is decided by entry-ownership.ts (our chosen entry ID, or an exactly
// matching legacy entry its status names, which then moves to our ID: legacy-migration.ts), never by
// status.entryId alone. An entry with the declared SPIFFE ID, parent ID and selectors that the SpiffeID
// does not hold is someone else's: the SpiffeID gets Ready=False (EntryConflict) and the entry is left alone. Entries nobody holds are never touched, except
// entries with our ID prefix whose SpiffeID is gone.
// Ref: spiffe/spire history, mode-crd/controllers/spiffeid_controller.go (finalizer, status.entryId,
// NotFound on delete is success).

export type SpiffeIdRef = { readonly namespace: string; readonly name: string };

export type PlannedCreate = { readonly owner: SpiffeIdRef; readonly entry: Entry; readonly status: DesiredStatus };
export type PlannedStatus = { readonly owner: SpiffeIdRef; readonly status: DesiredStatus };
export type PlannedRelease = { readonly owner: SpiffeIdRef; readonly afterDeleting: readonly string[] };
export type PlannedProblem = { readonly owner: SpiffeIdRef; readonly reason: string; readonly message: string };
/** A legacy entry moving to the registrar's own ID, steps in this order (legacy-migration.ts). */
export type PlannedMigration = {
  readonly owner: SpiffeIdRef;
  /** Step 1, when our entry does not exist yet: it under a stand-in key. */
  readonly create?: Entry;
  /** Step 2, when our entry is not as declared yet: it as declared (the fields a SpiffeID controls). */
  readonly update?: Entry;
  /** Step 3: the legacy entry. */
  readonly deleteLegacy: string;
  /** Step 4: naming our entry. */
  readonly status: DesiredStatus;
};

export type SpiffeIdPlan = {
  readonly addFinalizer: readonly SpiffeIdRef[];
  readonly deleteEntries: readonly string[];
  /** Each with the ID the registrar chose for it (entry-ownership.ts). */
  readonly createEntries: readonly PlannedCreate[];
  /** Entries the registrar created: only the fields a SpiffeID controls are written (pickWritable). */
  readonly updateEntries: readonly Entry[];
  /**
   * Adopted legacy entries, each replaced by an entry with our ID made from the spec alone: fields the spec
   * does not carry (admin, TTLs, hint) are never kept from an entry the registrar did not create.
   */
  readonly migrations: readonly PlannedMigration[];
  readonly statuses: readonly PlannedStatus[];
  /** Release the finalizer once every listed delete succeeded (OK or NOT_FOUND). */
  readonly releaseFinalizer: readonly PlannedRelease[];
  readonly problems: readonly PlannedProblem[];
  /** The SpiffeID each updated or deleted entry is written for (events and `plan` name it). */
  readonly entryOwners: ReadonlyMap<string, SpiffeIdRef>;
};

export type SpiffeIdPlanConfig = SpiffeIdRules & {
  /** entryIdPrefix(cluster): the IDs of the entries this registrar creates. */
  readonly entryIdPrefix: string;
};

/**
 * @param registrarDeclared `namespace/name` of the SpiffeIDs the registrar's own controllers declare (their
 *   spec already replaced by the declared one, see withDeclaredSpecs): the namespace policy does not apply.
 */
export function planSpiffeIdEntries(
  spiffeIds: readonly SpiffeId[],
  entries: readonly Entry[],
  cfg: SpiffeIdPlanConfig,
  now: string,
  registrarDeclared: ReadonlySet<string> = new Set(),
): SpiffeIdPlan {
  const prefix = cfg.entryIdPrefix;
  const byId = new Map(entries.map((e) => [e.id, e]));
  const byKey = new Map<string, Entry[]>();
  for (const e of entries) byKey.set(entryKey(e), [...(byKey.get(entryKey(e)) ?? []), e]);
  const sorted = [...spiffeIds].sort((a, b) => cmp(spiffeIdKey(a), spiffeIdKey(b)));
  const live = sorted.filter((s) => !s.metadata.deletionTimestamp);
  const dying = sorted.filter((s) => s.metadata.deletionTimestamp && hasFinalizer(s));

  const addFinalizer = live.filter((s) => !hasFinalizer(s)).map(ref);
  const deleteEntries: string[] = [];
  const createEntries: PlannedCreate[] = [];
  const updateEntries: Entry[] = [];
  const migrations: PlannedMigration[] = [];
  const statuses: PlannedStatus[] = [];
  const problems: PlannedProblem[] = [];
  const claimed = new Set<string>();
  const entryOwners = new Map<string, SpiffeIdRef>();
  const drop = (id: string, owner?: SpiffeIdRef) => {
    if (claimed.has(id) || deleteEntries.includes(id)) return;
    deleteEntries.push(id);
    if (owner) entryOwners.set(id, owner);
  };
  const setStatus = (s: SpiffeId, st: DesiredStatus) => {
    if (statusChanged(s, st)) statuses.push({ owner: ref(s), status: st });
  };
  const refuse = (s: SpiffeId, reason: NotReadyReason, message: string) => {
    problems.push({ owner: ref(s), reason, message });
    setStatus(s, desiredStatus(s, null, { ready: false, reason, message }, now));
  };

  // Valid live SpiffeIDs grouped by the entry they declare; one per key wins, the rest are masked.
  const groups = new Map<string, { s: SpiffeId; want: Entry; held: Holding | undefined }[]>();
  const refused: SpiffeId[] = [];
  const originOf = (s: SpiffeId) => (registrarDeclared.has(spiffeIdKey(s)) ? 'registrar' : 'user');
  for (const s of live) {
    const problem = validateSpiffeId(s, cfg, originOf(s));
    if (problem) {
      refuse(s, problem.rule.startsWith('policy.') ? 'PolicyViolation' : 'InvalidSpiffeID', problem.message);
      refused.push(s);
      continue;
    }
    const want = spiffeIdEntry(s);
    const k = entryKey(want);
    groups.set(k, [...(groups.get(k) ?? []), { s, want, held: heldEntry(s, want, byId, prefix) }]);
  }

  const losers: SpiffeId[] = [...refused];
  for (const [k, group] of groups) {
    const [winner, ...masked] = [...group].sort((a, b) => preference(a, b, k));
    if (!winner) continue;
    for (const m of masked) {
      refuse(m.s, 'DuplicateEntry', `Duplicate detected: SpiffeID ${spiffeIdKey(winner.s)} already declares this entry`);
      losers.push(m.s);
    }
    const { s, want, held } = winner;
    const legacy = legacyEntry(s, want, byId);
    // An entry with the declared key that the winner does not hold belongs to someone else. Moving ours
    // onto that key would make a second entry with it (SPIRE does not check similarity on update).
    const foreign = (byKey.get(k) ?? []).filter((e) => e.id !== held?.entry.id && e.id !== legacy?.id);
    if (foreign.length > 0) {
      refuse(s, 'EntryConflict', 'SPIRE already has an entry with this SPIFFE ID, parent ID and selectors that the registrar did not create for this SpiffeID; it is left alone');
      losers.push(s);
      continue;
    }
    // A legacy entry it holds moves to our own ID (legacy-migration.ts); so does a move a pass cut short,
    // with our entry already beside it. Only once the finalizer is on, as for any entry we create (until
    // then both are left as they are: the status keeps naming the legacy entry).
    if (legacy) {
      const id = ownEntryId(prefix, s);
      const ours = byId.get(id);
      for (const e of [legacy.id, id]) {
        claimed.add(e);
        entryOwners.set(e, ref(s));
      }
      if (!hasFinalizer(s)) continue;
      const declared = { ...want, id };
      migrations.push({
        owner: ref(s),
        ...(ours ? {} : { create: standInEntry(declared) }),
        ...(ours && sameEntry(ours, want) ? {} : { update: ours ? { ...ours, ...pickWritable(want) } : declared }),
        deleteLegacy: legacy.id,
        status: desiredStatus(s, id, { ready: true }, now),
      });
      continue;
    }
    if (!held) {
      // Only once the finalizer is on (a later pass): otherwise a SpiffeID deleted right now would leave
      // an entry nobody deletes. The original also added the finalizer first.
      if (hasFinalizer(s)) {
        const id = ownEntryId(prefix, s);
        createEntries.push({ owner: ref(s), entry: { ...want, id }, status: desiredStatus(s, id, { ready: true }, now) });
      }
      continue;
    }
    const current = held.entry;
    claimed.add(current.id);
    if (!sameEntry(current, want)) {
      updateEntries.push({ ...current, ...pickWritable(want) });
      entryOwners.set(current.id, ref(s));
    }
    setStatus(s, desiredStatus(s, current.id, { ready: true }, now));
  }

  // A live SpiffeID that holds no entry now (refused, masked, in conflict) loses the one the registrar
  // created for it, or SPIRE keeps issuing an identity nobody declares. Adopted legacy entries of a
  // refused spec are not provably ours and are left alone.
  for (const s of losers) {
    const id = ownEntryId(prefix, s);
    if (byId.has(id)) drop(id, ref(s));
  }

  const releaseFinalizer: PlannedRelease[] = [];
  for (const s of dying) {
    const held = heldEntry(s, spiffeIdEntry(s), byId, prefix);
    // A legacy entry is held only through a spec that matches it, and a dying SpiffeID's spec and status are
    // as user-written as a live one's: the live path's rules decide, or a spec copied from another
    // namespace's entry, a status naming it and a delete would remove that entry.
    const provable = held !== undefined && (held.how === 'created' || !validateSpiffeId(s, cfg, originOf(s)));
    const ids = held && provable && !claimed.has(held.entry.id) ? [held.entry.id] : [];
    // A move to our ID cut short (legacy-migration.ts) leaves the legacy entry beside ours: both go.
    const legacy = held?.how === 'created' ? legacyEntry(s, spiffeIdEntry(s), byId) : undefined;
    if (legacy && !validateSpiffeId(s, cfg, originOf(s)) && !claimed.has(legacy.id)) ids.push(legacy.id);
    for (const id of ids) drop(id, ref(s));
    releaseFinalizer.push({ owner: ref(s), afterDeleting: ids });
  }
  for (const id of orphanedEntries(entries, spiffeIds, prefix)) drop(id);

  statuses.sort((a, b) => cmp(`${a.owner.namespace}/${a.owner.name}`, `${b.owner.namespace}/${b.owner.name}`));
  return { addFinalizer, deleteEntries, createEntries, updateEntries, migrations, statuses, releaseFinalizer, problems, entryOwners };
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

type Candidate = { readonly s: SpiffeId; readonly held: Holding | undefined };

/** The SpiffeID that already holds an entry with this key wins; then the oldest; then by namespace/name. */
function preference(a: Candidate, b: Candidate, key: string): number {
  const holds = (c: Candidate) => (c.held !== undefined && entryKey(c.held.entry) === key ? 0 : 1);
  return (
    holds(a) - holds(b) ||
    cmp(a.s.metadata.creationTimestamp ?? '', b.s.metadata.creationTimestamp ?? '') ||
    cmp(spiffeIdKey(a.s), spiffeIdKey(b.s))
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

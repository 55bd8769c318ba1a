import type { Entry } from '../entries/entry.js';
import { entryKey } from '../entries/entry-key.js';
import { sameSelectorSet } from '../entries/selectors.js';
import { spiffeIdEntry } from '../spiffeid/spiffeid-entry.js';
import { SPIFFEID_FINALIZER, spiffeIdKey, type SpiffeId } from '../spiffeid/spiffeid.js';
import { validateSpiffeId, type SpiffeIdOrigin, type SpiffeIdProblem, type SpiffeIdRules } from '../spiffeid/validate-spiffeid.js';
import { heldEntryBy, legacyEntryBy, movingLegacyBy, orphanedEntryIds, ownEntryId, type Holding } from './entry-ownership.js';
import { standInEntry, withoutStandIn } from './legacy-migration.js';
import { desiredStatus, statusChanged, type DesiredStatus, type NotReadyReason, type Readiness } from './status.js';

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
 * The per-object work of a plan, each a pure function of its arguments and the plan's fixed config: never
 * of other objects, of SPIRE's other entries or of the clock. The runtime passes memoized versions
 * (runtime/crd/crd-plan-cache.ts, keyed by object identity: informer projections and held entries are
 * replaced, never changed), so a pass over a cluster where little changed repeats none of it; the plan
 * itself (masking, foreign entries, orphans, statuses with `now`) is computed afresh every time.
 */
export type SpiffeIdDerivations = {
  /** spiffeIdFacts with the plan's entry ID prefix. */
  readonly facts: (s: SpiffeId) => SpiffeIdFacts;
  /** validateSpiffeId with the plan's rules. */
  readonly problem: (s: SpiffeId, origin: SpiffeIdOrigin) => SpiffeIdProblem | undefined;
  readonly entryKey: (e: Entry) => string;
  /** spiffeIdEntry: the entry `s` declares (ID empty); needed only to write it, so a memo need not keep it. */
  readonly wanted: (s: SpiffeId) => Entry;
  /** Whether `current`, held by `s`, already is what `s` declares (in the fields a SpiffeID controls). */
  readonly matches: (current: Entry, s: SpiffeId) => boolean;
  /** Whether writing desiredStatus(s, entryId, readiness, any time) would change what `s` says. */
  readonly statusChanged: (s: SpiffeId, entryId: string | null, readiness: Readiness) => boolean;
};

/** What the plan reads of one SpiffeID on its own. */
export type SpiffeIdFacts = {
  /** spiffeIdKey. */
  readonly key: string;
  /** ownEntryId: the ID of the entry the registrar creates for it. */
  readonly ownEntryId: string;
  /** It carries the registrar's finalizer. */
  readonly finalizer: boolean;
  /** The key of the entry it declares (entryKey of spiffeIdEntry). */
  readonly wantKey: string;
};

/**
 * @param parts how the key and the declared entry's key are made (default: afresh); the runtime passes
 *   memos, the entry key one keyed by the spec object alone, which a new version of a SpiffeID with the
 *   same spec (a status write, a registrar-declared view) shares.
 */
export function spiffeIdFacts(s: SpiffeId, prefix: string, parts: FactParts = freshFactParts): SpiffeIdFacts {
  return { key: parts.key(s), ownEntryId: ownEntryId(prefix, s), finalizer: hasFinalizer(s), wantKey: parts.wantKey(s.spec) };
}

export type FactParts = {
  /** spiffeIdKey. */
  readonly key: (s: SpiffeId) => string;
  /** The key of the entry a SpiffeID with this spec declares. */
  readonly wantKey: (spec: SpiffeId['spec']) => string;
};

const freshFactParts: FactParts = { key: spiffeIdKey, wantKey: (spec) => entryKey(spiffeIdEntry({ spec })) };

/** The derivations computed afresh on every call. */
export function spiffeIdDerivations(cfg: SpiffeIdPlanConfig): SpiffeIdDerivations {
  return {
    facts: (s) => spiffeIdFacts(s, cfg.entryIdPrefix),
    problem: (s, origin) => validateSpiffeId(s, cfg, origin),
    entryKey,
    wanted: spiffeIdEntry,
    matches: (current, s) => sameEntry(current, spiffeIdEntry(s)),
    // statusChanged ignores lastTransitionTime, the only field `now` sets.
    statusChanged: (s, entryId, readiness) => statusChanged(s, desiredStatus(s, entryId, readiness, '')),
  };
}

/**
 * @param registrarDeclared `namespace/name` of the SpiffeIDs the registrar's own controllers declare (their
 *   spec already replaced by the declared one, see withDeclaredSpecs): the namespace policy does not apply.
 * @param derive the per-object work (default: computed afresh, spiffeIdDerivations).
 */
export function planSpiffeIdEntries(
  spiffeIds: readonly SpiffeId[],
  entries: readonly Entry[],
  cfg: SpiffeIdPlanConfig,
  now: string,
  registrarDeclared: ReadonlySet<string> = new Set(),
  derive: SpiffeIdDerivations = spiffeIdDerivations(cfg),
): SpiffeIdPlan {
  const { facts } = derive;
  const byId = new Map<string, Entry>();
  // The first entry under each key, and any more under the same key (rare: an array per key would cost
  // one per entry and pass).
  const firstByKey = new Map<string, Entry>();
  const moreByKey = new Map<string, Entry[]>();
  for (const e of entries) {
    byId.set(e.id, e);
    const k = derive.entryKey(e);
    if (!firstByKey.has(k)) firstByKey.set(k, e);
    else {
      const more = moreByKey.get(k);
      if (more) more.push(e);
      else moreByKey.set(k, [e]);
    }
  }
  /** Whether SPIRE holds an entry with key `k` other than the one with ID `a` or `b`. */
  const otherUnder = (k: string, a: string | undefined, b: string | undefined) => {
    const other = (e: Entry) => e.id !== a && e.id !== b;
    const first = firstByKey.get(k);
    return first !== undefined && (other(first) || (moreByKey.get(k) ?? []).some(other));
  };
  // Each SpiffeID with its facts, derived once per plan, in namespace/name order (a stable sort: were two
  // objects to share a name, they would keep their input order, as before).
  const sorted = spiffeIds.map((s): Item => ({ s, f: facts(s) })).sort((a, b) => cmp(a.f.key, b.f.key));
  const live: Item[] = [];
  const dying: Item[] = [];
  for (const item of sorted) {
    if (!item.s.metadata.deletionTimestamp) live.push(item);
    else if (item.f.finalizer) dying.push(item);
  }

  const addFinalizer: SpiffeIdRef[] = [];
  const deleteEntries: string[] = [];
  const deleting = new Set<string>();
  const createEntries: PlannedCreate[] = [];
  const updateEntries: Entry[] = [];
  const migrations: PlannedMigration[] = [];
  const statuses: PlannedStatus[] = [];
  const problems: PlannedProblem[] = [];
  const claimed = new Set<string>();
  const entryOwners = new Map<string, SpiffeIdRef>();
  const drop = (id: string, owner?: SpiffeIdRef) => {
    if (claimed.has(id) || deleting.has(id)) return;
    deleteEntries.push(id);
    deleting.add(id);
    if (owner) entryOwners.set(id, owner);
  };
  const setStatus = (s: SpiffeId, entryId: string | null, readiness: Readiness) => {
    if (derive.statusChanged(s, entryId, readiness)) statuses.push({ owner: ref(s), status: desiredStatus(s, entryId, readiness, now) });
  };
  const refuse = (s: SpiffeId, reason: NotReadyReason, message: string) => {
    problems.push({ owner: ref(s), reason, message });
    setStatus(s, null, { ready: false, reason, message });
  };
  const holding = ({ s, f }: Item) => heldEntryBy(f.ownEntryId, s.status.entryId, f.wantKey, byId, derive.entryKey);
  /**
   * The legacy entry `item` moves to our own ID: the one its status names with the declared key, or, when it
   * already holds our entry (a move cut short) and the spec changed since, the one with our entry's key.
   */
  const legacyOf = ({ s, f }: Item, held: Holding | undefined) =>
    legacyEntryBy(s.status.entryId, f.wantKey, byId, derive.entryKey) ??
    (held?.how === 'created' ? movingLegacyBy(s.status.entryId, held.entry, byId, derive.entryKey) : undefined);

  // Valid live SpiffeIDs grouped by the entry they declare; one per key wins, the rest are masked. A key
  // that only one SpiffeID declares (nearly all) holds its candidate, not a list of one.
  const groups = new Map<string, Candidate | Candidate[]>();
  const refused: Item[] = [];
  const originOf = (item: Item) => (registrarDeclared.has(item.f.key) ? 'registrar' : 'user');
  for (const item of live) {
    const { s, f } = item;
    if (!f.finalizer) addFinalizer.push(ref(s));
    const problem = derive.problem(s, originOf(item));
    if (problem) {
      refuse(s, problem.rule.startsWith('policy.') ? 'PolicyViolation' : 'InvalidSpiffeID', problem.message);
      refused.push(item);
      continue;
    }
    const c: Candidate = { s, f, held: holding(item) };
    const group = groups.get(f.wantKey);
    if (group === undefined) groups.set(f.wantKey, c);
    else if (Array.isArray(group)) group.push(c);
    else groups.set(f.wantKey, [group, c]);
  }

  const losers: Item[] = refused;
  for (const [k, group] of groups) {
    let winner: Candidate;
    if (Array.isArray(group)) {
      const [first, ...masked] = [...group].sort((a, b) => preference(a, b, k, derive));
      if (!first) continue;
      winner = first;
      for (const m of masked) {
        refuse(m.s, 'DuplicateEntry', `Duplicate detected: SpiffeID ${winner.f.key} already declares this entry`);
        losers.push(m);
      }
    } else {
      winner = group;
    }
    const { s, f, held } = winner;
    const legacy = legacyOf(winner, held);
    // An entry with the declared key that the winner does not hold belongs to someone else. Moving ours
    // onto that key would make a second entry with it (SPIRE does not check similarity on update).
    if (otherUnder(k, held?.entry.id, legacy?.id)) {
      refuse(s, 'EntryConflict', 'SPIRE already has an entry with this SPIFFE ID, parent ID and selectors that the registrar did not create for this SpiffeID; it is left alone');
      losers.push(winner);
      continue;
    }
    // A legacy entry it holds moves to our own ID (legacy-migration.ts); so does a move a pass cut short,
    // with our entry already beside it. Only once the finalizer is on, as for any entry we create (until
    // then both are left as they are: the status keeps naming the legacy entry).
    if (legacy) {
      const id = f.ownEntryId;
      const ours = byId.get(id);
      for (const e of [legacy.id, id]) {
        claimed.add(e);
        entryOwners.set(e, ref(s));
      }
      if (!f.finalizer) continue;
      const want = derive.wanted(s);
      const declared = { ...want, id };
      migrations.push({
        owner: ref(s),
        ...(ours ? {} : { create: standInEntry(declared) }),
        ...(ours && derive.matches(ours, s) ? {} : { update: ours ? { ...ours, ...pickWritable(want) } : declared }),
        deleteLegacy: legacy.id,
        status: desiredStatus(s, id, { ready: true }, now),
      });
      continue;
    }
    if (!held) {
      // Only once the finalizer is on (a later pass): otherwise a SpiffeID deleted right now would leave
      // an entry nobody deletes. The original also added the finalizer first.
      if (f.finalizer) {
        const id = f.ownEntryId;
        createEntries.push({ owner: ref(s), entry: { ...derive.wanted(s), id }, status: desiredStatus(s, id, { ready: true }, now) });
      }
      continue;
    }
    const current = held.entry;
    claimed.add(current.id);
    if (!derive.matches(current, s)) {
      updateEntries.push({ ...current, ...pickWritable(derive.wanted(s)) });
      entryOwners.set(current.id, ref(s));
    }
    setStatus(s, current.id, { ready: true });
  }

  // A live SpiffeID that holds no entry now (refused, masked, in conflict) loses the one the registrar
  // created for it, or SPIRE keeps issuing an identity nobody declares. Adopted legacy entries of a
  // refused spec are not provably ours and are left alone.
  for (const { s, f } of losers) {
    if (byId.has(f.ownEntryId)) drop(f.ownEntryId, ref(s));
  }

  const releaseFinalizer: PlannedRelease[] = [];
  for (const item of dying) {
    const { s } = item;
    const held = holding(item);
    // A legacy entry is held only through a spec that matches it, and a dying SpiffeID's spec and status are
    // as user-written as a live one's: the live path's rules decide, or a spec copied from another
    // namespace's entry, a status naming it and a delete would remove that entry.
    const provable = held !== undefined && (held.how === 'created' || !derive.problem(s, originOf(item)));
    const ids = held && provable && !claimed.has(held.entry.id) ? [held.entry.id] : [];
    // A move to our ID cut short (legacy-migration.ts) leaves the legacy entry beside ours: both go.
    const legacy = held?.how === 'created' ? legacyOf(item, held) : undefined;
    if (legacy && !derive.problem(s, originOf(item)) && !claimed.has(legacy.id)) ids.push(legacy.id);
    for (const id of ids) drop(id, ref(s));
    releaseFinalizer.push({ owner: ref(s), afterDeleting: ids });
  }
  for (const id of orphanedEntryIds(entries, new Set(sorted.map((i) => i.f.ownEntryId)), cfg.entryIdPrefix)) drop(id);

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

type Item = { readonly s: SpiffeId; readonly f: SpiffeIdFacts };
type Candidate = Item & { readonly held: Holding | undefined };

/**
 * The SpiffeID that already holds an entry with this key wins (our entry still under the stand-in key of a
 * move cut short counts: it was made for this key); then the oldest; then by namespace/name.
 */
function preference(a: Candidate, b: Candidate, key: string, derive: SpiffeIdDerivations): number {
  const holdsKey = (e: Entry) => derive.entryKey(e) === key || entryKey(withoutStandIn(e)) === key;
  const holds = (c: Candidate) => (c.held !== undefined && holdsKey(c.held.entry) ? 0 : 1);
  return (
    holds(a) - holds(b) ||
    cmp(a.s.metadata.creationTimestamp ?? '', b.s.metadata.creationTimestamp ?? '') ||
    cmp(a.f.key, b.f.key)
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

import { controllerOwner, sameSpec, type DeclaredSpiffeId } from './declared-spiffeid.js';
import { spiffeIdKey, type SpiffeId } from './spiffeid.js';

// Node and pod controllers declare SpiffeIDs; this diff says which to create, update or delete, keyed by
// namespace/name against the SpiffeIDs that exist. It is level-based: the inputs are the whole declared
// set and the whole observed set, never an event.

export type DeclaredPlan = {
  readonly create: readonly DeclaredSpiffeId[];
  readonly update: readonly { readonly current: SpiffeId; readonly declared: DeclaredSpiffeId }[];
  /** SpiffeIDs whose (live) owner no longer declares one, e.g. a pod whose annotation was removed. */
  readonly delete: readonly SpiffeId[];
  /** The name is still taken by an earlier Pod or Node of the same name, or by a SpiffeID being deleted: wait. */
  readonly blocked: readonly { readonly declared: DeclaredSpiffeId; readonly current: SpiffeId }[];
  /**
   * The name is taken by a SpiffeID someone made by hand: the pod's (or node's) own SpiffeID wins. The
   * registrar writes the declared spec, labels and owner into that object and notes it in a condition, so
   * no user can block a workload's identity by creating a SpiffeID with its name first.
   */
  readonly takeOver: readonly { readonly current: SpiffeId; readonly declared: DeclaredSpiffeId }[];
};

/** What a declared SpiffeID needs, given the existing object of its namespace/name. */
export type DeclaredVerdict = 'unchanged' | 'update' | 'blocked' | 'takeOver' | 'dying';

/**
 * Compares one declared SpiffeID with the existing object of its namespace/name: a pure function of the
 * two, so the runtime may memoize it per pair of objects (runtime/crd/crd-plan-cache.ts).
 */
export function declaredVerdict(d: DeclaredSpiffeId, current: SpiffeId): DeclaredVerdict {
  const owner = controllerOwner(current);
  if (owner?.uid !== d.owner.uid) {
    const earlier = owner !== undefined && owner.kind === d.owner.kind && owner.name === d.owner.name;
    // An earlier pod of the same name (StatefulSet): Kubernetes' garbage collector deletes its SpiffeID.
    return earlier || current.metadata.deletionTimestamp ? 'blocked' : 'takeOver';
  }
  if (current.metadata.deletionTimestamp) return 'dying';
  return !sameSpec(current.spec, d.spec) || !sameLabels(current.metadata.labels ?? {}, d.labels) ? 'update' : 'unchanged';
}

/**
 * The per-object work of planDeclaredSpiffeIds and withDeclaredSpecs, each a pure function of its
 * arguments: the runtime passes memoized versions (runtime/crd/crd-plan-cache.ts, keyed by the objects).
 */
export type DeclaredDerivations = {
  /** spiffeIdKey. */
  readonly key: (s: SpiffeId) => string;
  /** declaredKey. */
  readonly declaredKey: (d: DeclaredSpiffeId) => string;
  /** declaredVerdict. */
  readonly verdict: (d: DeclaredSpiffeId, current: SpiffeId) => DeclaredVerdict;
};

/** The derivations computed afresh on every call. */
export const declaredDerivations: DeclaredDerivations = { key: spiffeIdKey, declaredKey, verdict: declaredVerdict };

/**
 * @param liveOwnerUids UIDs of the objects the controllers looked at (nodes, pods in scope). A SpiffeID
 *   controlled by one of them that is no longer declared is deleted; one controlled by an object that is
 *   gone is left to Kubernetes' garbage collector, as in the original.
 * @param derive the per-object work (default: computed afresh, declaredDerivations).
 */
export function planDeclaredSpiffeIds(
  declared: readonly DeclaredSpiffeId[],
  existing: readonly SpiffeId[],
  liveOwnerUids: ReadonlySet<string>,
  derive: DeclaredDerivations = declaredDerivations,
): DeclaredPlan {
  const { key: keyOfExisting, declaredKey } = derive;
  const byKey = new Map(existing.map((s) => [keyOfExisting(s), s]));
  const declaredKeys = new Set<string>();
  // Each list in namespace/name order (a stable sort: declarations of one name keep their order). Sorting
  // what goes into the lists, not every declaration, keeps a pass with few changes from sorting them all.
  const create: Keyed<DeclaredSpiffeId>[] = [];
  const update: Keyed<{ current: SpiffeId; declared: DeclaredSpiffeId }>[] = [];
  const blocked: Keyed<{ declared: DeclaredSpiffeId; current: SpiffeId }>[] = [];
  const takeOver: Keyed<{ current: SpiffeId; declared: DeclaredSpiffeId }>[] = [];

  for (const d of declared) {
    const key = declaredKey(d);
    declaredKeys.add(key);
    const current = byKey.get(key);
    if (!current) {
      create.push({ key, item: d });
      continue;
    }
    const v = derive.verdict(d, current);
    if (v === 'update') update.push({ key, item: { current, declared: d } });
    else if (v === 'blocked') blocked.push({ key, item: { declared: d, current } });
    else if (v === 'takeOver') takeOver.push({ key, item: { current, declared: d } });
  }

  const del = existing
    .filter((s) => !declaredKeys.has(keyOfExisting(s)) && !s.metadata.deletionTimestamp)
    .filter((s) => {
      const owner = controllerOwner(s);
      return owner !== undefined && owner.apiVersion === 'v1' && (owner.kind === 'Pod' || owner.kind === 'Node') && liveOwnerUids.has(owner.uid);
    })
    .sort((a, b) => cmp(keyOfExisting(a), keyOfExisting(b)));

  return { create: byKeyOrder(create), update: byKeyOrder(update), delete: del, blocked: byKeyOrder(blocked), takeOver: byKeyOrder(takeOver) };
}

type Keyed<T> = { readonly key: string; readonly item: T };

function byKeyOrder<T>(list: Keyed<T>[]): T[] {
  return list.sort((a, b) => cmp(a.key, b.key)).map((k) => k.item);
}

/** `namespace/name` of a declared SpiffeID. */
export function declaredKey(d: DeclaredSpiffeId): string {
  return `${d.namespace}/${d.name}`;
}

function sameLabels(current: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, val]) => current[k] === val);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

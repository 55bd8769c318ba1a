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

/**
 * @param liveOwnerUids UIDs of the objects the controllers looked at (nodes, pods in scope). A SpiffeID
 *   controlled by one of them that is no longer declared is deleted; one controlled by an object that is
 *   gone is left to Kubernetes' garbage collector, as in the original.
 */
export function planDeclaredSpiffeIds(
  declared: readonly DeclaredSpiffeId[],
  existing: readonly SpiffeId[],
  liveOwnerUids: ReadonlySet<string>,
): DeclaredPlan {
  const byKey = new Map(existing.map((s) => [spiffeIdKey(s), s]));
  const declaredKeys = new Set<string>();
  const create: DeclaredSpiffeId[] = [];
  const update: { current: SpiffeId; declared: DeclaredSpiffeId }[] = [];
  const blocked: { declared: DeclaredSpiffeId; current: SpiffeId }[] = [];
  const takeOver: { current: SpiffeId; declared: DeclaredSpiffeId }[] = [];

  for (const d of [...declared].sort((a, b) => cmp(keyOf(a), keyOf(b)))) {
    const key = keyOf(d);
    declaredKeys.add(key);
    const current = byKey.get(key);
    if (!current) {
      create.push(d);
      continue;
    }
    const owner = controllerOwner(current);
    if (owner?.uid !== d.owner.uid) {
      const earlier = owner !== undefined && owner.kind === d.owner.kind && owner.name === d.owner.name;
      // An earlier pod of the same name (StatefulSet): Kubernetes' garbage collector deletes its SpiffeID.
      if (earlier || current.metadata.deletionTimestamp) blocked.push({ declared: d, current });
      else takeOver.push({ current, declared: d });
      continue;
    }
    if (current.metadata.deletionTimestamp) continue;
    if (!sameSpec(current.spec, d.spec) || !sameLabels(current.metadata.labels ?? {}, d.labels)) update.push({ current, declared: d });
  }

  const del = existing
    .filter((s) => !declaredKeys.has(spiffeIdKey(s)) && !s.metadata.deletionTimestamp)
    .filter((s) => {
      const owner = controllerOwner(s);
      return owner !== undefined && owner.apiVersion === 'v1' && (owner.kind === 'Pod' || owner.kind === 'Node') && liveOwnerUids.has(owner.uid);
    })
    .sort((a, b) => cmp(spiffeIdKey(a), spiffeIdKey(b)));

  return { create, update, delete: del, blocked, takeOver };
}

function keyOf(d: DeclaredSpiffeId): string {
  return `${d.namespace}/${d.name}`;
}

function sameLabels(current: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, val]) => current[k] === val);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// One object for a SpiffeID this registrar created, not two. A pass keeps what the API server answered to
// its create (projected) and plans with it; moments later the watch brings the same object back and the
// informer's cache projects it again. At a cold start that is a second copy of every SpiffeID (~6 MB at
// 10,500), both held through the pass's SPIRE writes, and the plan memo's records are keyed by the pass's
// copy. Here the cache takes the pass's object instead, when the watched one is the same version: same UID
// and resourceVersion, which the API server gives only to the same stored state, and the projection is a
// pure function of it, so the two are equal.

type Projected = { readonly metadata: { readonly namespace: string; readonly name: string; readonly uid: string; readonly resourceVersion?: string | undefined } };

export type OwnCreates<T extends Projected> = {
  /** The projection of a create's answer, remembered until the watch shows that name. */
  readonly created: (s: T) => T;
  /** For the informer: the created object itself when `s` is the same version of it, else `s`. */
  readonly watched: (s: T) => T;
  /** Created objects the watch has not shown yet. */
  readonly pending: () => number;
};

/**
 * @param limit objects remembered at most; past it they are forgotten (one the watch never shows, e.g.
 *   deleted at once, would otherwise stay): the cache then holds its own copy, as without this.
 */
export function ownCreates<T extends Projected>(limit = 100_000): OwnCreates<T> {
  let byName = new Map<string, T>();
  const keyOf = (s: T) => `${s.metadata.namespace}/${s.metadata.name}`;
  return {
    created: (s) => {
      if (byName.size >= limit) byName = new Map();
      byName.set(keyOf(s), s);
      return s;
    },
    watched: (s) => {
      if (byName.size === 0) return s;
      const key = keyOf(s);
      const mine = byName.get(key);
      if (mine === undefined) return s;
      byName.delete(key);
      const same = mine.metadata.uid === s.metadata.uid && mine.metadata.resourceVersion !== undefined && mine.metadata.resourceVersion === s.metadata.resourceVersion;
      return same ? mine : s;
    },
    pending: () => byName.size,
  };
}

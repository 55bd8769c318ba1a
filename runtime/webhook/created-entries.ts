// The entries this webhook created, by the UID of the pod each was created for, so that the pod's DELETE
// can delete by entry ID (one SPIRE call) instead of looking the entry up first (two). Bounded: the oldest
// pod is forgotten first (a Map iterates in insertion order), and a forgotten pod only costs the lookup.
// Pod UIDs are never reused, so a remembered entry is the one made for this very pod; a replica that did
// not see the CREATE, a restart or an entry deleted meanwhile all fall back to the lookup.
import type { Entry, Selector } from '../../handlers/entries/entry.js';

/** What a DELETE needs: the ID to delete and what to log; the key fields to check against the DELETE. */
export type CreatedEntry = Pick<Entry, 'id' | 'spiffeId' | 'parentId' | 'selectors' | 'dnsNames' | 'federatesWith'>;

export const DEFAULT_CREATED_ENTRIES = 10_000;

export class CreatedEntries {
  readonly #byPodUid = new Map<string, CreatedEntry>();

  constructor(readonly capacity = DEFAULT_CREATED_ENTRIES) {}

  get size(): number {
    return this.#byPodUid.size;
  }

  remember(podUid: string, entry: Entry): void {
    if (podUid === '' || entry.id === '' || this.capacity <= 0) return;
    const { id, spiffeId, parentId, selectors, dnsNames, federatesWith } = entry;
    this.#byPodUid.delete(podUid);
    this.#byPodUid.set(podUid, { id, spiffeId, parentId, selectors, dnsNames, federatesWith });
    if (this.#byPodUid.size > this.capacity) {
      const oldest = this.#byPodUid.keys().next();
      if (!oldest.done) this.#byPodUid.delete(oldest.value);
    }
  }

  /**
   * The entry created for this pod, forgotten as it is returned, and only if it has exactly the parent and
   * selector set the DELETE names (the entry the lookup would have found).
   */
  take(podUid: string, parentId: string, selectors: readonly Selector[]): CreatedEntry | undefined {
    if (podUid === '') return undefined;
    const entry = this.#byPodUid.get(podUid);
    if (entry === undefined) return undefined;
    this.#byPodUid.delete(podUid);
    return entry.parentId === parentId && sameSelectorSet(entry.selectors, selectors) ? entry : undefined;
  }
}

function sameSelectorSet(a: readonly Selector[], b: readonly Selector[]): boolean {
  if (a.length !== b.length) return false;
  const key = (s: Selector) => `${s.type}\u0000${s.value}`;
  const set = new Set(a.map(key));
  return b.every((s) => set.has(key(s)));
}

// The status and finalizer writes this registrar made, by the resourceVersion each was guarded by. A sliced
// pass can run before the watch brings our own write back: the informer's copy then still shows the version
// we wrote against, the planners plan the same write again, and the API server refuses it with a 409 that
// costs a GET to settle. A write already made from the copy the informer still shows is skipped; the watch
// delivering the new version triggers the next pass, which plans from it, and forgets the write (settle):
// otherwise a cold start would hold every status it wrote, ~10,500 at 10,000 pods (~6 MB), until the next
// full pass. Full passes forget everything (crd-pass.ts), so a lost watch event costs at most one redundant
// write per resync, never a lost one.
import { sameStatus, type DesiredStatus } from '../../handlers/spiffeid-reconcile/status.js';
import type { ObservedSpiffeId } from './spiffeid-writer.js';

export type GuardedWrite = DesiredStatus | 'releaseFinalizer' | 'addFinalizer';

export class WrittenFrom {
  /** namespace/name -> the resourceVersion a successful write was guarded by, and the writes made from it. */
  #made = new Map<string, { readonly resourceVersion: string; readonly writes: GuardedWrite[] }>();

  /** True when `write` was already made from the version `target` was observed at. */
  has(target: ObservedSpiffeId, write: GuardedWrite): boolean {
    const k = `${target.namespace}/${target.name}`;
    const made = this.#made.get(k);
    if (!made) return false;
    if (made.resourceVersion !== target.resourceVersion) {
      // The informer moved on: what we wrote from the old version says nothing about the new one.
      this.#made.delete(k);
      return false;
    }
    return made.writes.some((w) => (typeof w === 'string' || typeof write === 'string' ? w === write : sameStatus(w, write)));
  }

  /** Remembers a write that succeeded; an unguarded one (no resourceVersion observed) is not remembered. */
  record(target: ObservedSpiffeId, write: GuardedWrite): void {
    const rv = target.resourceVersion;
    if (rv === undefined) return;
    const k = `${target.namespace}/${target.name}`;
    const made = this.#made.get(k);
    if (made && made.resourceVersion === rv) made.writes.push(write);
    else this.#made.set(k, { resourceVersion: rv, writes: [write] });
  }

  /**
   * The informer now holds `now` under `key` (`namespace/name`; undefined: gone): what was written from
   * another version is forgotten, as `has` would forget it on the next look.
   */
  settle(key: string, now: { readonly metadata: { readonly resourceVersion?: string | undefined } } | undefined): void {
    const made = this.#made.get(key);
    if (made && made.resourceVersion !== now?.metadata.resourceVersion) this.#made.delete(key);
  }

  clear(): void {
    this.#made.clear();
  }

  get size(): number {
    return this.#made.size;
  }
}

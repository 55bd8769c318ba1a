// Every write crd mode makes to the cluster goes through this one small interface: the controllers
// never call the API server directly. Implementations: spiffeid-writer.kube.ts (client-node, status
// subresource, merge patches guarded by resourceVersion, retry on 409 conflict) and spiffeid-writer.fake.ts
// (in memory, for unit tests). Writes to an existing object take what the informer cache last saw of it
// (ObservedSpiffeId): with its resourceVersion a write needs no GET first; a stale one costs a 409 and a GET.
import type { DeclaredSpiffeId } from '../../handlers/spiffeid/declared-spiffeid.js';
import type { SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import type { SpiffeIdRef } from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import type { DesiredStatus } from '../../handlers/spiffeid-reconcile/status.js';

export type { SpiffeIdRef };

/** A SpiffeID as last observed (informer cache); without `resourceVersion` the writer reads it first. */
export type ObservedSpiffeId = SpiffeIdRef & {
  /** Only this object: a newer one of the same name is left alone. */
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly finalizers?: readonly string[];
};

export interface SpiffeIdWriter {
  /**
   * Creates a declared SpiffeID with these finalizers already in metadata (so no separate write adds
   * them); one that already exists is left for the next pass to compare. Resolves with the object as the
   * API server stored it (UID, resourceVersion, finalizers: the pass plans its entry at once), or
   * undefined when the name was taken or the answer did not parse (the informer brings it instead).
   */
  create(d: DeclaredSpiffeId, finalizers: readonly string[]): Promise<SpiffeId | undefined>;
  /** Replaces spec and the declared labels and owner, keeping everything else. */
  update(d: DeclaredSpiffeId): Promise<void>;
  /**
   * Makes the hand-made SpiffeID `target` (that object only) the declared one: spec, labels and the
   * controller owner reference replaced, everything else kept.
   */
  takeOver(target: ObservedSpiffeId, d: DeclaredSpiffeId): Promise<void>;
  /** Deletes the SpiffeID with this UID (a newer object of the same name is left alone); gone is fine. */
  delete(ref: SpiffeIdRef, uid: string): Promise<void>;
  /** Adds the finalizer unless present or the object is being deleted. */
  addFinalizer(target: ObservedSpiffeId, finalizer: string): Promise<void>;
  releaseFinalizer(target: ObservedSpiffeId, finalizer: string): Promise<void>;
  /** Writes status through the status subresource. */
  writeStatus(target: ObservedSpiffeId, status: DesiredStatus): Promise<void>;
}

/** The SpiffeID object a declaration stands for (as sent to the API server on create). */
export function declaredObject(d: DeclaredSpiffeId, apiVersion: string, kind: string, finalizers: readonly string[] = []): Record<string, unknown> {
  return {
    apiVersion,
    kind,
    metadata: {
      name: d.name,
      namespace: d.namespace,
      labels: { ...d.labels },
      ownerReferences: [{ ...d.owner }],
      ...(finalizers.length > 0 ? { finalizers: [...finalizers] } : {}),
    },
    spec: d.spec,
  };
}

// Every write crd mode makes to the cluster goes through this one small interface: the controllers
// never call the API server directly. Implementations: spiffeid-writer.kube.ts (client-node, status
// subresource, retry on 409 conflict) and spiffeid-writer.fake.ts (in memory, for unit tests).
import type { DeclaredSpiffeId } from '../../handlers/spiffeid/declared-spiffeid.js';
import type { SpiffeIdRef } from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import type { DesiredStatus } from '../../handlers/spiffeid-reconcile/status.js';

export type { SpiffeIdRef };

export interface SpiffeIdWriter {
  /** Creates a declared SpiffeID; one that already exists is left for the next pass to compare. */
  create(d: DeclaredSpiffeId): Promise<void>;
  /** Replaces spec and the declared labels and owner, keeping everything else. */
  update(d: DeclaredSpiffeId): Promise<void>;
  /** Deletes the SpiffeID with this UID (a newer object of the same name is left alone); gone is fine. */
  delete(ref: SpiffeIdRef, uid: string): Promise<void>;
  addFinalizer(ref: SpiffeIdRef, finalizer: string): Promise<void>;
  releaseFinalizer(ref: SpiffeIdRef, finalizer: string): Promise<void>;
  /** Writes status through the status subresource. */
  writeStatus(ref: SpiffeIdRef, status: DesiredStatus): Promise<void>;
}

/** The SpiffeID object a declaration stands for (as sent to the API server on create). */
export function declaredObject(d: DeclaredSpiffeId, apiVersion: string, kind: string): Record<string, unknown> {
  return {
    apiVersion,
    kind,
    metadata: { name: d.name, namespace: d.namespace, labels: { ...d.labels }, ownerReferences: [{ ...d.owner }] },
    spec: d.spec,
  };
}

import type { DeclaredSpiffeId } from '../spiffeid/declared-spiffeid.js';
import { spiffeIdKey, type SpiffeId } from '../spiffeid/spiffeid.js';
import type { DesiredStatus } from './status.js';

// The crd pass takes over a hand-made SpiffeID that has a pod's or node's name (plan-declared.ts) in its
// first step, then plans entries and statuses in its second from the SpiffeIDs it knows. The informer's
// copy of a taken-over object is from before the take-over: the user's spec, no controller owner, no
// TakenOver condition. Planned from it, the second step could write a status (say PolicyViolation for the
// squatter's spec) built from conditions that lack TakenOver; the writer's 409 retry re-reads the object
// but sends the same conditions, and a merge patch replaces the whole list, so the condition was lost.
// The second step therefore plans the object as the take-over left it.

/** `current` as the take-over wrote it: the declared spec, labels and controller owner, and `status` if written. */
export function asTakenOver(current: SpiffeId, d: DeclaredSpiffeId, status: DesiredStatus | undefined): SpiffeId {
  const others = (current.metadata.ownerReferences ?? []).filter((r) => r.controller !== true);
  return {
    ...current,
    metadata: { ...current.metadata, labels: { ...(current.metadata.labels ?? {}), ...d.labels }, ownerReferences: [...others, { ...d.owner }] },
    spec: d.spec,
    ...(status ? { status: { ...current.status, entryId: status.entryId, conditions: [...status.conditions] } } : {}),
  };
}

/** `observed` with each taken-over object in place of the copy of the same namespace/name. */
export function withTakenOver(observed: readonly SpiffeId[], taken: readonly SpiffeId[]): readonly SpiffeId[] {
  if (taken.length === 0) return observed;
  const byKey = new Map(taken.map((s) => [spiffeIdKey(s), s]));
  return observed.map((s) => byKey.get(spiffeIdKey(s)) ?? s);
}

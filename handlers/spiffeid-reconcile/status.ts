import type { SpiffeId, SpiffeIdCondition } from '../spiffeid/spiffeid.js';

// The status the SpiffeID controller writes: `entryId` (the original's only field, kept as is) plus one
// `Ready` condition saying why a SpiffeID has no entry, so `kubectl describe` shows the reason.

export const READY = 'Ready';

export type Readiness =
  | { readonly ready: true }
  | { readonly ready: false; readonly reason: 'InvalidSpiffeID' | 'DuplicateEntry'; readonly message: string };

export type DesiredStatus = { readonly entryId: string | null; readonly conditions: readonly SpiffeIdCondition[] };

export function desiredStatus(current: SpiffeId, entryId: string | null, readiness: Readiness, now: string): DesiredStatus {
  const cond = readiness.ready
    ? { type: READY, status: 'True', reason: 'EntryReady', message: 'the SPIRE entry matches the spec' }
    : { type: READY, status: 'False', reason: readiness.reason, message: readiness.message };
  const previous = (current.status.conditions ?? []).find((c) => c.type === READY);
  const lastTransitionTime = previous && previous.status === cond.status ? previous.lastTransitionTime || now : now;
  const others = (current.status.conditions ?? []).filter((c) => c.type !== READY);
  return { entryId, conditions: [...others, { ...cond, lastTransitionTime }] };
}

/** True when writing `want` would change what the object already says (timestamps aside). */
export function statusChanged(current: SpiffeId, want: DesiredStatus): boolean {
  if ((current.status.entryId ?? null) !== want.entryId) return true;
  const strip = (cs: readonly SpiffeIdCondition[]) => JSON.stringify(cs.map((c) => [c.type, c.status, c.reason, c.message]));
  return strip(current.status.conditions ?? []) !== strip(want.conditions);
}

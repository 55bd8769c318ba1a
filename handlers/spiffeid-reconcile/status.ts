import type { DeclaredSpiffeId } from '../spiffeid/declared-spiffeid.js';
import type { SpiffeId, SpiffeIdCondition } from '../spiffeid/spiffeid.js';

// The status the SpiffeID controller writes: `entryId` (the original's only field, kept as is) plus one
// `Ready` condition saying why a SpiffeID has no entry, so `kubectl describe` shows the reason.

export const READY = 'Ready';

/**
 * InvalidSpiffeID: a base rule; PolicyViolation: the namespace policy (the message names the rule);
 * DuplicateEntry: another SpiffeID declares the same entry; EntryConflict: SPIRE has an entry with this
 * key that the registrar did not create for this SpiffeID.
 */
export type NotReadyReason = 'InvalidSpiffeID' | 'PolicyViolation' | 'DuplicateEntry' | 'EntryConflict';

export type Readiness =
  | { readonly ready: true }
  | { readonly ready: false; readonly reason: NotReadyReason; readonly message: string };

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
  return !sameStatus({ entryId: current.status.entryId ?? null, conditions: current.status.conditions ?? [] }, want);
}

/** True when two statuses say the same (timestamps aside). */
export function sameStatus(a: DesiredStatus, b: DesiredStatus): boolean {
  if (a.entryId !== b.entryId) return false;
  const strip = (cs: readonly SpiffeIdCondition[]) => JSON.stringify(cs.map((c) => [c.type, c.status, c.reason, c.message]));
  return strip(a.conditions) === strip(b.conditions);
}

export const TAKEN_OVER = 'TakenOver';

/**
 * The status of a hand-made SpiffeID the registrar took over for the pod or node of the same name
 * (plan-declared.ts): what it had, plus a condition saying so.
 */
export function takenOverStatus(current: SpiffeId, d: DeclaredSpiffeId, now: string): DesiredStatus {
  const others = (current.status.conditions ?? []).filter((c) => c.type !== TAKEN_OVER);
  const message = `this SpiffeID was made by hand with the name of ${d.owner.kind} ${d.owner.name}; that ${d.owner.kind.toLowerCase()}'s own SpiffeID wins, so the registrar replaced its spec`;
  return {
    entryId: current.status.entryId ?? null,
    conditions: [...others, { type: TAKEN_OVER, status: 'True', reason: 'NameBelongsToWorkload', message, lastTransitionTime: now }],
  };
}

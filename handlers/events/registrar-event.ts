import type { Pod } from '../k8s/pod.js';
import { SPIFFEID_API_VERSION, SPIFFEID_KIND } from '../spiffeid/spiffeid.js';

// Which Kubernetes Events the registrar reports, as data: the runtime's recorder (runtime/events/) writes
// them as events.k8s.io/v1 Events, de-duplicated and rate limited. Events say what the registrar did to
// SPIRE for an object, and why an object got no identity, so `kubectl describe` shows it next to the
// object; they never drive reconciliation.

/** The object an event is about (events.k8s.io/v1 `regarding`). */
export type ObjectRef = {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
};

export type RegistrarEvent = {
  readonly regarding: ObjectRef;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  /** What the registrar did or failed to do (events.k8s.io/v1 `action`, required there). */
  readonly action: string;
  readonly note: string;
};

const EventReason = {
  EntryCreated: 'EntryCreated',
  EntryUpdated: 'EntryUpdated',
  EntryDeleted: 'EntryDeleted',
  InvalidSpiffeID: 'InvalidSpiffeID',
} as const;

export type EntryChange = 'created' | 'updated' | 'deleted';

const CHANGE: Record<EntryChange, { reason: string; action: string; verb: string }> = {
  created: { reason: EventReason.EntryCreated, action: 'CreateEntry', verb: 'Created' },
  updated: { reason: EventReason.EntryUpdated, action: 'UpdateEntry', verb: 'Updated' },
  deleted: { reason: EventReason.EntryDeleted, action: 'DeleteEntry', verb: 'Deleted' },
};

export function spiffeIdRef(s: { readonly namespace: string; readonly name: string; readonly uid: string }): ObjectRef {
  return { apiVersion: SPIFFEID_API_VERSION, kind: SPIFFEID_KIND, namespace: s.namespace, name: s.name, uid: s.uid };
}

function podRef(pod: Pod): ObjectRef {
  const { namespace, name, uid } = pod.metadata;
  return { apiVersion: 'v1', kind: 'Pod', namespace, name, uid };
}

/** crd mode: the SPIRE entry a SpiffeID stands for was created, updated or deleted. */
export function entryChangedEvent(change: EntryChange, spiffeId: ObjectRef, entryId: string): RegistrarEvent {
  const c = CHANGE[change];
  return { regarding: spiffeId, type: 'Normal', reason: c.reason, action: c.action, note: `${c.verb} SPIRE entry ${entryId}` };
}

/**
 * crd mode: the SpiffeID has no entry because it breaks a rule (`reason` is the Ready condition's reason:
 * InvalidSpiffeID, or DuplicateEntry when another SpiffeID declares the same entry).
 */
export function spiffeIdProblemEvent(spiffeId: ObjectRef, reason: string, message: string): RegistrarEvent {
  return { regarding: spiffeId, type: 'Warning', reason, action: 'RegisterEntry', note: message };
}

/** reconcile and crd modes: the pod gets no identity; `reason` says which value broke which rule. */
export function podNoIdentityEvent(pod: Pod, reason: string): RegistrarEvent {
  return { regarding: podRef(pod), type: 'Warning', reason: EventReason.InvalidSpiffeID, action: 'RegisterEntry', note: reason };
}

/**
 * Events with the same key are one event seen again (a series), as client-go's events recorder keys them:
 * the object (by UID too: a re-created pod of the same name is another object), type, reason, action, note.
 */
export function eventKey(e: RegistrarEvent): string {
  const r = e.regarding;
  return JSON.stringify([r.apiVersion, r.kind, r.namespace, r.name, r.uid, e.type, e.reason, e.action, e.note]);
}

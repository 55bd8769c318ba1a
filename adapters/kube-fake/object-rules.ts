// What the API server itself fills in or keeps when objects are written: the kind-specific defaults a
// real cluster's registry strategies and default admission plugins apply, status-subresource rules and
// generation bumps. Pure functions of (type, old, new, now).
import { resourceTypeFromCrd } from './resource-types.js';
import { invalid } from './status.js';
import { type KubeObject, type ResourceType, apiVersionOf } from './types.js';

type Obj = Record<string, unknown>;
const asObj = (x: unknown): Obj => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Obj) : {});

export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Defaults applied on create, by kind. Built-in objects keep the status the client sent (lenient, eases seeding). */
export function withCreateDefaults(type: ResourceType, obj: KubeObject, now: Date): KubeObject {
  let out: KubeObject = obj;
  if (type.custom && type.statusSubresource) {
    const { status: _dropped, ...rest } = out;
    out = rest as KubeObject;
  }
  if (type.custom) return out;
  switch (type.resource) {
    case 'pods': {
      // The ServiceAccount admission plugin names the default service account when none is given.
      const spec = asObj(out['spec']);
      const sa = typeof spec['serviceAccountName'] === 'string' && spec['serviceAccountName'] !== '' ? spec['serviceAccountName'] : 'default';
      const status = asObj(out['status']);
      return { ...out, spec: { ...spec, serviceAccountName: sa, serviceAccount: sa }, status: { phase: 'Pending', ...status } };
    }
    case 'namespaces': {
      const labels = { ...out.metadata.labels, 'kubernetes.io/metadata.name': out.metadata.name ?? '' };
      return { ...out, metadata: { ...out.metadata, labels }, status: { phase: 'Active' } };
    }
    case 'customresourcedefinitions':
      return withCrdStatus(out, now);
    default:
      return out;
  }
}

/** Throws the Invalid Status for objects a real server would reject; only the checks our clients rely on. */
export function validate(type: ResourceType, obj: KubeObject): void {
  if (type.resource === 'customresourcedefinitions' && type.group === 'apiextensions.k8s.io') {
    const defined = resourceTypeFromCrd(obj);
    if (typeof defined === 'string') throw invalid(type.kind, type.group, obj.metadata.name ?? '', defined);
  }
  if (type.resource === 'events' && type.group === 'events.k8s.io') {
    const problem = eventsV1Problem(obj);
    if (problem) throw invalid(type.kind, type.group, obj.metadata.name ?? '', problem);
  }
}

/** The events.k8s.io/v1 fields the API server requires of an Event (ValidateEventCreate). */
function eventsV1Problem(obj: KubeObject): string | undefined {
  for (const field of ['eventTime', 'reportingController', 'reportingInstance', 'action', 'reason']) {
    if (typeof obj[field] !== 'string' || obj[field] === '') return `${field}: Required value`;
  }
  const note = obj['note'];
  if (typeof note === 'string' && note.length > 1024) return 'note: Too long: must have at most 1024 bytes';
  return undefined;
}

/** A CRD as the apiextensions controller marks it once its names are accepted and it is served. */
function withCrdStatus(crd: KubeObject, now: Date): KubeObject {
  const names = asObj(asObj(crd['spec'])['names']);
  const at = timestamp(now);
  const condition = (type: string, reason: string, message: string) => ({ type, status: 'True', lastTransitionTime: at, reason, message });
  const versions = (asObj(crd['spec'])['versions'] as Obj[] | undefined) ?? [];
  return {
    ...crd,
    status: {
      acceptedNames: names,
      conditions: [
        condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
        condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
      ],
      storedVersions: versions.filter((v) => v['storage'] === true).map((v) => v['name']),
    },
  };
}

/**
 * The object to store for an update of `old` by `next`. A main-resource update keeps the old status when
 * the kind has a status subresource; a status update changes nothing but status. Immutable metadata
 * (uid, creationTimestamp, deletionTimestamp) is kept; generation counts changes outside metadata/status.
 */
export function mergeUpdate(type: ResourceType, old: KubeObject, next: KubeObject, subresource: 'status' | undefined, version: string): KubeObject {
  let out: KubeObject;
  if (subresource === 'status') {
    out = { ...old, status: next['status'] };
    if (next['status'] === undefined) delete out['status'];
  } else {
    out = { ...next, apiVersion: apiVersionOf(type.group, version), kind: type.kind };
    if (type.statusSubresource) {
      if (old['status'] === undefined) delete out['status'];
      else out['status'] = old['status'];
    }
    const keep = old.metadata;
    out.metadata = {
      ...next.metadata,
      name: keep.name,
      uid: keep.uid,
      creationTimestamp: keep.creationTimestamp,
      generation: keep.generation,
    };
    if (keep.namespace !== undefined) out.metadata.namespace = keep.namespace;
    if (keep.deletionTimestamp !== undefined) {
      out.metadata.deletionTimestamp = keep.deletionTimestamp;
      out.metadata.deletionGracePeriodSeconds = keep.deletionGracePeriodSeconds;
    } else {
      delete out.metadata.deletionTimestamp;
      delete out.metadata.deletionGracePeriodSeconds;
    }
    if (specChanged(old, out)) out.metadata.generation = (keep.generation ?? 1) + 1;
  }
  return out;
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = ({ metadata: _m, status: _s, ...rest }: KubeObject) => rest;
  return !deepEqual(strip(a), strip(b));
}

/** True when storing `b` over `a` would change nothing (resourceVersion aside). */
export function sameObject(a: KubeObject, b: KubeObject): boolean {
  const { resourceVersion: _ra, ...ma } = a.metadata;
  const { resourceVersion: _rb, ...mb } = b.metadata;
  return deepEqual({ ...a, metadata: ma }, { ...b, metadata: mb });
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Obj)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Obj)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Obj)[k], (b as Obj)[k]));
}

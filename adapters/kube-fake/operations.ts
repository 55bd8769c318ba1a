// The verbs of the API: get, list, create, update, patch, delete, each with the semantics of a real API
// server that our clients depend on. Failures are thrown as ApiError (a Kubernetes Status).
import { randomUUID } from 'node:crypto';
import { type Admission, type AdmissionOperation } from './admission.js';
import { PatchError, applyJsonPatch } from './json-patch.js';
import { applyMergePatch, applyStrategicMergePatch } from './merge-patch.js';
import { mergeUpdate, sameObject, timestamp, validate, withCreateDefaults } from './object-rules.js';
import { type ResourceRegistry } from './resource-types.js';
import { ApiError, alreadyExists, conflict, notFound } from './status.js';
import { type ObjectStore, type StoredObject } from './store.js';
import { type KubeObject, type ResourceType, apiVersionOf, resourceKey } from './types.js';

export type Target = { type: ResourceType; version: string; namespace: string };
/** Who sends a request (AdmissionReview userInfo). */
export type UserInfo = { username: string; groups: string[] };
export const ADMIN_USER: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
export type WriteOptions = { dryRun?: boolean; warnings?: string[]; user?: UserInfo };
export type DeleteOptions = WriteOptions & {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
};
export type DeleteResult = { stored: StoredObject; deleted: boolean };

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
const serverSideApplyUnsupported = () => new ApiError(
  'UnsupportedMediaType',
  'server-side apply is not supported by this fake API server; use client-side apply (kubectl apply without --server-side) or a merge patch',
);

export class Operations {
  constructor(
    readonly store: ObjectStore,
    readonly registry: ResourceRegistry,
    readonly admission: Admission,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get(t: Target, name: string): StoredObject {
    const found = this.store.get(key(t), t.namespace, name);
    if (!found) throw notFound(t.type.resource, t.type.group, name);
    return found;
  }

  async create(t: Target, body: unknown, opts: WriteOptions = {}): Promise<StoredObject> {
    const obj = asKubeObject(body, t);
    const meta = { ...obj.metadata };
    if (t.type.namespaced) {
      if (meta.namespace && meta.namespace !== t.namespace) {
        throw new ApiError('BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      this.#requireNamespace(t.namespace);
      meta.namespace = t.namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name) {
      if (!meta.generateName) throw new ApiError('Invalid', `${t.type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, { group: t.type.group, kind: t.type.kind });
      do meta.name = meta.generateName + randomSuffix(); while (this.store.get(key(t), t.namespace, meta.name));
    }
    if (this.store.get(key(t), t.namespace, meta.name)) throw alreadyExists(t.type.resource, t.type.group, meta.name);
    const now = this.now();
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp(now);
    meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    const prepared = withCreateDefaults(t.type, { ...obj, apiVersion: apiVersionOf(t.type.group, t.version), kind: t.type.kind, metadata: meta }, now);
    validate(t.type, prepared);
    await this.#admit(t, 'CREATE', prepared, null, opts);
    if (opts.dryRun) return { obj: prepared, json: JSON.stringify(prepared) };
    // Admission yields to the event loop: a create of the same name may have landed meanwhile, and a real
    // API server refuses the second (two replicas creating one Lease must not both win).
    if (this.store.get(key(t), t.namespace, meta.name)) throw alreadyExists(t.type.resource, t.type.group, meta.name);
    return this.store.put(key(t), prepared);
  }

  async update(t: Target, name: string, body: unknown, subresource?: 'status', opts: WriteOptions = {}): Promise<StoredObject> {
    return this.#retryOnRace(() => this.#update(t, name, body, subresource, opts));
  }

  async #update(t: Target, name: string, body: unknown, subresource: 'status' | undefined, opts: WriteOptions): Promise<StoredObject> {
    const next = asKubeObject(body, t);
    if (next.metadata.name && next.metadata.name !== name) {
      throw new ApiError('BadRequest', `the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
    }
    const current = this.get(t, name);
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.obj.metadata.resourceVersion) throw conflict(t.type.resource, t.type.group, name);
    return this.#write(t, current, mergeUpdate(t.type, current.obj, next, subresource, t.version), subresource, opts);
  }

  async patch(t: Target, name: string, contentType: string, body: unknown, subresource?: 'status', opts: WriteOptions = {}): Promise<StoredObject> {
    if (contentType.startsWith('application/apply-patch')) throw serverSideApplyUnsupported(); // even for objects that do not exist yet
    return this.#retryOnRace(() => this.#patch(t, name, contentType, body, subresource, opts));
  }

  async #patch(t: Target, name: string, contentType: string, body: unknown, subresource: 'status' | undefined, opts: WriteOptions): Promise<StoredObject> {
    const current = this.get(t, name);
    let patched: unknown;
    try {
      patched = applyPatch(t.type, current.obj, contentType, body);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (err instanceof PatchError) throw new ApiError('Invalid', `${t.type.kind} "${name}" is invalid: ${err.message}`, { name, group: t.type.group, kind: t.type.kind });
      throw err;
    }
    const next = asKubeObject(patched, t);
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== current.obj.metadata.resourceVersion) throw conflict(t.type.resource, t.type.group, name);
    return this.#write(t, current, mergeUpdate(t.type, current.obj, next, subresource, t.version), subresource, opts);
  }

  /** Deletes at once, or marks the object terminating while finalizers remain (deleted: false). */
  async delete(t: Target, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    return this.#retryOnRace(() => this.#delete(t, name, opts));
  }

  async #delete(t: Target, name: string, opts: DeleteOptions): Promise<DeleteResult> {
    const current = this.get(t, name);
    const meta = current.obj.metadata;
    const pre = opts.preconditions ?? {};
    if ((pre.uid && pre.uid !== meta.uid) || (pre.resourceVersion && pre.resourceVersion !== meta.resourceVersion)) {
      throw new ApiError('Conflict', `Precondition failed: the object ${name} was modified`, { name, group: t.type.group, kind: t.type.resource });
    }
    await this.#admit(t, 'DELETE', null, current.obj, opts);
    this.#unchangedSince(t, current);
    if (opts.dryRun) return { stored: current, deleted: true };
    if (opts.propagationPolicy === 'Orphan') this.#orphanDependents(meta.uid ?? '');
    const finalizers = [...(meta.finalizers ?? [])];
    if (opts.propagationPolicy === 'Foreground' && this.store.dependentsOf(meta.uid ?? '').length > 0 && !finalizers.includes(FOREGROUND_FINALIZER)) {
      finalizers.push(FOREGROUND_FINALIZER);
    }
    if (isNamespace(t.type)) return { stored: this.#markTerminating(t, current), deleted: false };
    if (finalizers.length === 0) return { stored: this.store.remove(key(t), t.namespace, name)!, deleted: true };
    if (meta.deletionTimestamp && finalizers.length === (meta.finalizers ?? []).length) return { stored: current, deleted: false };
    const marked: KubeObject = {
      ...current.obj,
      metadata: { ...meta, finalizers, deletionTimestamp: meta.deletionTimestamp ?? timestamp(this.now()), deletionGracePeriodSeconds: 0 },
    };
    return { stored: this.store.put(key(t), marked), deleted: false };
  }

  /** Target for an object's own apiVersion and kind (used by garbage collection and seeding). */
  targetOf(obj: KubeObject): Target | undefined {
    const type = this.registry.findByKind(obj.apiVersion ?? '', obj.kind ?? '');
    if (!type) return undefined;
    const version = (obj.apiVersion ?? '').split('/').pop() ?? '';
    return { type, version, namespace: type.namespaced ? (obj.metadata.namespace ?? '') : '' };
  }

  async #write(t: Target, current: StoredObject, next: KubeObject, subresource: 'status' | undefined, opts: WriteOptions): Promise<StoredObject> {
    validate(t.type, next);
    if (sameObject(current.obj, next)) return current;
    await this.#admit(t, 'UPDATE', next, current.obj, opts, subresource);
    this.#unchangedSince(t, current);
    if (opts.dryRun) return { obj: next, json: JSON.stringify(next) };
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && !isNamespace(t.type)) {
      return this.store.remove(key(t), t.namespace, next.metadata.name ?? '')!;
    }
    return this.store.put(key(t), next);
  }

  async #admit(t: Target, operation: AdmissionOperation, object: KubeObject | null, oldObject: KubeObject | null, opts: WriteOptions, subResource?: string): Promise<void> {
    const name = (object ?? oldObject)?.metadata.name ?? '';
    const gvk = { group: t.type.group, version: t.version, kind: t.type.kind };
    const gvr = { group: t.type.group, version: t.version, resource: t.type.resource };
    const warnings = await this.admission.review({
      uid: randomUUID(), kind: gvk, resource: gvr, requestKind: gvk, requestResource: gvr,
      ...(subResource ? { subResource } : {}),
      name, ...(t.type.namespaced ? { namespace: t.namespace } : {}), operation,
      userInfo: structuredClone(opts.user ?? ADMIN_USER),
      object, oldObject, dryRun: opts.dryRun === true,
      options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'CREATE' ? 'CreateOptions' : operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions' },
    });
    opts.warnings?.push(...warnings);
  }

  /**
   * Admission awaits webhooks, so another write can land meanwhile. Like the API server's guaranteed
   * update, a write computed from an object that has changed since is not stored: it is computed again
   * from the new object (and an update that named the old resourceVersion then fails with a conflict).
   */
  #unchangedSince(t: Target, read: StoredObject): void {
    const now = this.store.get(key(t), t.namespace, read.obj.metadata.name ?? '');
    if (now?.obj.metadata.resourceVersion !== read.obj.metadata.resourceVersion) throw new WriteRace();
  }

  async #retryOnRace<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (!(err instanceof WriteRace) || attempt >= 10) throw err instanceof WriteRace ? new ApiError('Conflict', 'the object kept changing during admission; try again') : err;
      }
    }
  }

  /** A namespace being deleted stays, Terminating, until the namespace controller (gc.ts) has emptied it. */
  #markTerminating(t: Target, current: StoredObject): StoredObject {
    if (current.obj.metadata.deletionTimestamp) return current;
    return this.store.put(key(t), {
      ...current.obj,
      metadata: { ...current.obj.metadata, deletionTimestamp: timestamp(this.now()), deletionGracePeriodSeconds: 0 },
      status: { ...(current.obj['status'] as object | undefined), phase: 'Terminating' },
    });
  }

  #requireNamespace(ns: string): void {
    const found = this.store.get('namespaces', '', ns);
    if (!found) throw notFound('namespaces', '', ns);
    if (found.obj.metadata.deletionTimestamp) {
      throw new ApiError('Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`);
    }
  }

  #orphanDependents(uid: string): void {
    for (const dep of this.store.dependentsOf(uid)) {
      const refs = (dep.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      this.store.put(dep.resource, { ...dep.obj, metadata: { ...dep.obj.metadata, ownerReferences: refs } });
    }
  }
}

class WriteRace extends Error {}

function isNamespace(type: ResourceType): boolean {
  return type.group === '' && type.resource === 'namespaces';
}

function key(t: Target): string {
  return resourceKey(t.type.group, t.type.resource);
}

function applyPatch(type: ResourceType, current: KubeObject, contentType: string, body: unknown): unknown {
  const media = contentType.split(';')[0]!.trim();
  switch (media) {
    case 'application/json-patch+json': return applyJsonPatch(current, body);
    case 'application/merge-patch+json': return applyMergePatch(current, body);
    case 'application/strategic-merge-patch+json':
      if (type.custom) throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
      return applyStrategicMergePatch(current, body);
    default:
      throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
  }
}

/** Checks the body is an object of the target's kind; fills in an empty metadata. */
function asKubeObject(body: unknown, t: Target): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('BadRequest', 'the request body must be a JSON object');
  const obj = body as Record<string, unknown>;
  if (obj['kind'] !== undefined && obj['kind'] !== t.type.kind) {
    throw new ApiError('BadRequest', `the kind of the provided object (${String(obj['kind'])}) does not match the resource (${t.type.kind})`);
  }
  if (obj['apiVersion'] !== undefined && obj['apiVersion'] !== apiVersionOf(t.type.group, t.version)) {
    const group = String(obj['apiVersion']).includes('/') ? String(obj['apiVersion']).split('/')[0] : '';
    if (group !== t.type.group) throw new ApiError('BadRequest', `the API version in the data (${String(obj['apiVersion'])}) does not match the expected API version (${apiVersionOf(t.type.group, t.version)})`);
  }
  const metadata = obj['metadata'];
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) throw new ApiError('BadRequest', 'metadata must be an object');
  return { ...obj, metadata: { ...(metadata as object | undefined) } } as KubeObject;
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return s;
}

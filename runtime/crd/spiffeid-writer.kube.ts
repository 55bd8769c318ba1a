// SpiffeIdWriter over the API server's REST interface (spiffeid-rest.ts: a lean JSON client, or
// client-node's CustomObjectsApi where the lean one does not handle the credentials). Finalizers and status are JSON merge patches that
// carry the observed resourceVersion (the API server refuses them with 409 Conflict when the object
// changed since), so a write whose target the informer cache already holds is one request, not GET + PUT;
// on 409 (or with nothing observed) the object is read and the patch retried. Status goes through the
// status subresource (a plain update ignores status when the CRD enables it). A spec update is rare and
// stays read-modify-write.
import * as v from 'valibot';
import { ApiException, type KubeConfig } from '../../adapters/client-node.js';
import { SPIFFEID_API_VERSION, SPIFFEID_KIND, SpiffeIdSchema, SpiffeIdStatusSchema, type SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import { sameStatus as sameDesiredStatus, type DesiredStatus } from '../../handlers/spiffeid-reconcile/status.js';
import { spiffeIdRest, type SpiffeIdRestOptions } from './spiffeid-rest.js';
import { declaredObject, type ObservedSpiffeId, type SpiffeIdRef, type SpiffeIdWriter } from './spiffeid-writer.js';

type Obj = {
  metadata: Record<string, unknown> & { finalizers?: string[]; labels?: Record<string, string>; uid?: string; resourceVersion?: string };
  [k: string]: unknown;
};
/** What a guarded patch needs to know of the object it changes. */
type Seen = {
  readonly resourceVersion: string;
  readonly finalizers: readonly string[];
  readonly deleting: boolean;
  /** The status as just read from the API server; undefined when taken from the informer's copy. */
  readonly status?: unknown;
};

const CONFLICT_RETRIES = 5;

export type KubeSpiffeIdWriterOptions = {
  /**
   * What a create's answer is kept as: the informer cache's projection (crd-projections.ts), so the
   * SpiffeIDs a pass creates cost what the cache's copies cost and share their strings. The parsed answer
   * itself carries every field the API server returned (~2 KB per SpiffeID, 23 MB for 10,500 held through
   * the pass that created them). Default: the parsed answer.
   */
  readonly project?: (s: SpiffeId) => SpiffeId;
} & SpiffeIdRestOptions;

export function kubeSpiffeIdWriter(kubeConfig: KubeConfig, opts: KubeSpiffeIdWriterOptions = {}): SpiffeIdWriter {
  const project = opts.project ?? ((s: SpiffeId) => s);
  const api = spiffeIdRest(kubeConfig, opts);

  const get = async (ref: SpiffeIdRef): Promise<Obj | undefined> => {
    try {
      return (await api.get(ref)) as Obj;
    } catch (err) {
      if (code(err) === 404) return undefined;
      throw err;
    }
  };

  /** GET, change, PUT; again on 409. `change` returns false when nothing needs writing. */
  const mutate = async (ref: SpiffeIdRef, what: string, change: (o: Obj) => boolean, subresource?: 'status'): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const obj = await get(ref);
        if (!obj || !change(obj)) return;
        await api.replace(ref, obj, subresource);
        return;
      } catch (err) {
        if (code(err) === 404) return;
        if (code(err) === 409 && attempt < CONFLICT_RETRIES) continue;
        throw new Error(`${what} SpiffeID ${ref.namespace}/${ref.name}`, { cause: err });
      }
    }
  };

  /**
   * A merge patch guarded by resourceVersion, built by `change` from the observed object (the informer's
   * copy when it has a resourceVersion, else a fresh GET); on 409 the object is read again and the patch
   * rebuilt. `change` returns undefined when nothing needs writing. Gone, or replaced by an object with
   * another UID: nothing to do.
   */
  const patch = async (
    target: ObservedSpiffeId,
    what: string,
    change: (seen: Seen) => Record<string, unknown> | undefined,
    subresource?: 'status',
  ): Promise<void> => {
    let seen: Seen | undefined =
      target.resourceVersion !== undefined && target.resourceVersion !== ''
        ? { resourceVersion: target.resourceVersion, finalizers: target.finalizers ?? [], deleting: false }
        : undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        if (!seen) {
          const obj = await get(target);
          if (!obj || (target.uid && obj.metadata.uid !== target.uid)) return;
          seen = {
            resourceVersion: obj.metadata.resourceVersion ?? '',
            finalizers: obj.metadata.finalizers ?? [],
            deleting: Boolean(obj.metadata.deletionTimestamp),
            status: obj.status ?? {},
          };
        }
        const body = change(seen);
        if (!body) return;
        const meta = (body.metadata ?? {}) as Record<string, unknown>;
        await api.mergePatch(target, { ...body, metadata: { ...meta, resourceVersion: seen.resourceVersion } }, subresource);
        return;
      } catch (err) {
        if (code(err) === 404) return;
        if (code(err) === 409 && attempt < CONFLICT_RETRIES) {
          seen = undefined;
          continue;
        }
        throw new Error(`${what} SpiffeID ${target.namespace}/${target.name}`, { cause: err });
      }
    }
  };

  return {
    async create(d, finalizers) {
      let stored: unknown;
      try {
        stored = await api.create(d.namespace, declaredObject(d, SPIFFEID_API_VERSION, SPIFFEID_KIND, finalizers));
      } catch (err) {
        if (code(err) === 409) return undefined;
        throw new Error(`create SpiffeID ${d.namespace}/${d.name}`, { cause: err });
      }
      // The API server's answer is parsed like an informer object; without a UID it names no entry.
      const parsed = v.safeParse(SpiffeIdSchema, stored);
      return parsed.success && parsed.output.metadata.uid !== '' ? project(parsed.output) : undefined;
    },
    update: (d) =>
      mutate(d, 'update', (o) => {
        if (o.metadata.uid !== undefined && ownerUid(o) !== d.owner.uid) return false;
        o.metadata.labels = { ...(o.metadata.labels ?? {}), ...d.labels };
        o.spec = d.spec;
        return true;
      }),
    takeOver: (target, d) =>
      mutate(target, 'take over', (o) => {
        if (target.uid !== undefined && o.metadata.uid !== target.uid) return false;
        const others = ((o.metadata.ownerReferences ?? []) as { controller?: boolean }[]).filter((r) => r.controller !== true);
        o.metadata.ownerReferences = [...others, { ...d.owner }];
        o.metadata.labels = { ...(o.metadata.labels ?? {}), ...d.labels };
        o.spec = d.spec;
        return true;
      }),
    async delete(ref, uid) {
      try {
        await api.delete(ref, { preconditions: { uid } });
      } catch (err) {
        if (code(err) === 404 || code(err) === 409) return; // gone, or replaced by a newer object
        throw new Error(`delete SpiffeID ${ref.namespace}/${ref.name}`, { cause: err });
      }
    },
    addFinalizer: (target, finalizer) =>
      patch(target, 'add finalizer to', (seen) =>
        seen.finalizers.includes(finalizer) || seen.deleting ? undefined : { metadata: { finalizers: [...seen.finalizers, finalizer] } },
      ),
    releaseFinalizer: (target, finalizer) =>
      patch(target, 'release finalizer of', (seen) =>
        seen.finalizers.includes(finalizer) ? { metadata: { finalizers: seen.finalizers.filter((f) => f !== finalizer) } } : undefined,
      ),
    writeStatus: (target, status) =>
      patch(
        target,
        'write status of',
        // After a 409 the object is read: a status already as wanted (an earlier pass wrote it and the
        // informer had not caught up) needs no second write.
        (seen) => (seen.status !== undefined && sameStatus(seen.status, status) ? undefined : { status: { entryId: status.entryId, conditions: status.conditions } }),
        'status',
      ),
  };
}

/** The status as read from the API server says what `want` says (transition times aside); unreadable: no. */
function sameStatus(current: unknown, want: DesiredStatus): boolean {
  const parsed = v.safeParse(SpiffeIdStatusSchema, current ?? {});
  if (!parsed.success) return false;
  return sameDesiredStatus({ entryId: parsed.output.entryId ?? null, conditions: parsed.output.conditions ?? [] }, want);
}

function ownerUid(o: Obj): string | undefined {
  const refs = (o.metadata.ownerReferences ?? []) as { controller?: boolean; uid?: string }[];
  return refs.find((r) => r.controller === true)?.uid;
}

function code(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

import * as v from 'valibot';
import { ObjectMetaSchema } from './object-meta.js';

// The slice of a discovery.k8s.io/v1 EndpointSlice that DNS names need: which Service it belongs to (the
// kubernetes.io/service-name label), and for each endpoint its pod, addresses, hostname and conditions.
// A Service may have several slices; one pod appears in at most one slice per address family.

/** The label the EndpointSlice controller puts on every slice it manages for a Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export const EndpointSchema = v.looseObject({
  addresses: v.optional(v.nullable(v.array(v.string())), []),
  conditions: v.optional(
    v.nullable(
      v.looseObject({
        ready: v.optional(v.nullable(v.boolean())),
        terminating: v.optional(v.nullable(v.boolean())),
      }),
    ),
    {},
  ),
  hostname: v.optional(v.nullable(v.string())),
  targetRef: v.optional(
    v.nullable(
      v.looseObject({
        kind: v.optional(v.string(), ''),
        name: v.optional(v.string(), ''),
        namespace: v.optional(v.string(), ''),
        uid: v.optional(v.string(), ''),
      }),
    ),
  ),
});

export const EndpointSliceSchema = v.looseObject({
  metadata: ObjectMetaSchema,
  endpoints: v.optional(v.nullable(v.array(EndpointSchema)), []),
});

export type Endpoint = v.InferOutput<typeof EndpointSchema>;
export type EndpointSlice = v.InferOutput<typeof EndpointSliceSchema>;

/** The Service a slice belongs to; '' for a slice without the label (not made for a Service). */
export function sliceService(slice: EndpointSlice): string {
  return slice.metadata.labels?.[SERVICE_NAME_LABEL] ?? '';
}

/**
 * Ready as the API defines it: an unset `ready` means ready. Kubernetes also marks a terminating endpoint
 * not ready (unless the Service publishes not-ready addresses).
 */
export function isReady(e: Endpoint): boolean {
  return e.conditions?.ready !== false;
}

/**
 * The endpoints core/v1 Endpoints listed (ready ones as `addresses`, not-ready ones as
 * `notReadyAddresses`): everything but a terminating endpoint that is not ready, which Endpoints omitted.
 */
export function isListed(e: Endpoint): boolean {
  return isReady(e) || e.conditions?.terminating !== true;
}

/** A reference that names a pod: one without a kind is taken as a pod; another kind is not one. */
export function podRef(e: Endpoint): { readonly uid: string; readonly namespace: string; readonly name: string } | undefined {
  const ref = e.targetRef;
  if (!ref || (ref.kind !== '' && ref.kind !== 'Pod')) return undefined;
  return { uid: ref.uid, namespace: ref.namespace, name: ref.name };
}

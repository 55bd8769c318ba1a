import * as v from 'valibot';
import { ObjectMetaSchema } from './object-meta.js';

// The slice of a core/v1 Endpoints object that pod DNS names need: which pods back a Service, under which
// IP and (for headless Services with a hostname) which hostname.
export const EndpointAddressSchema = v.looseObject({
  ip: v.optional(v.string(), ''),
  hostname: v.optional(v.string(), ''),
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

export const EndpointSubsetSchema = v.looseObject({
  addresses: v.optional(v.nullable(v.array(EndpointAddressSchema)), []),
  notReadyAddresses: v.optional(v.nullable(v.array(EndpointAddressSchema)), []),
});

export const EndpointsSchema = v.looseObject({
  metadata: ObjectMetaSchema,
  subsets: v.optional(v.nullable(v.array(EndpointSubsetSchema)), []),
});

export type EndpointAddress = v.InferOutput<typeof EndpointAddressSchema>;
export type Endpoints = v.InferOutput<typeof EndpointsSchema>;

/** Every address (ready or not) that points at a Pod, as the original registrar's pod controller read them. */
export function podAddresses(ep: Endpoints): EndpointAddress[] {
  return (ep.subsets ?? []).flatMap((s) =>
    [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].filter((a) => a.targetRef?.kind === 'Pod'),
  );
}

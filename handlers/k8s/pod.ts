import * as v from 'valibot';
import { ObjectMetaSchema } from './object-meta.js';

// The slice of a core/v1 Pod the handlers read (identity, selectors, scheduling, DNS names).
export const PodSchema = v.looseObject({
  metadata: ObjectMetaSchema,
  spec: v.optional(
    v.looseObject({
      nodeName: v.optional(v.string(), ''),
      serviceAccountName: v.optional(v.string(), ''),
      hostname: v.optional(v.string(), ''),
      subdomain: v.optional(v.string(), ''),
      containers: v.optional(
        v.array(v.looseObject({ name: v.string(), image: v.optional(v.string(), '') })),
        [],
      ),
    }),
    {},
  ),
  status: v.optional(
    v.looseObject({
      phase: v.optional(v.string(), ''),
      podIP: v.optional(v.string(), ''),
    }),
    {},
  ),
});

export type Pod = v.InferOutput<typeof PodSchema>;

/** Kubernetes' ServiceAccount admission sets "default" when a pod names none. */
export function podServiceAccount(pod: Pod): string {
  return pod.spec.serviceAccountName || 'default';
}

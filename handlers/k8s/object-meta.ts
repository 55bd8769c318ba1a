import * as v from 'valibot';

// Only the metadata fields some handler reads. looseObject: the API server sends far more, and a
// newer server may add fields; unknown keys pass through untouched instead of failing the parse.
export const OwnerReferenceSchema = v.looseObject({
  apiVersion: v.string(),
  kind: v.string(),
  name: v.string(),
  uid: v.string(),
  controller: v.optional(v.boolean()),
  blockOwnerDeletion: v.optional(v.boolean()),
});

export const ObjectMetaSchema = v.looseObject({
  name: v.optional(v.string(), ''),
  generateName: v.optional(v.string()),
  namespace: v.optional(v.string(), ''),
  uid: v.optional(v.string(), ''),
  resourceVersion: v.optional(v.string()),
  creationTimestamp: v.optional(v.nullable(v.string())),
  deletionTimestamp: v.optional(v.nullable(v.string())),
  labels: v.optional(v.nullable(v.record(v.string(), v.string())), {}),
  annotations: v.optional(v.nullable(v.record(v.string(), v.string())), {}),
  ownerReferences: v.optional(v.nullable(v.array(OwnerReferenceSchema)), []),
  finalizers: v.optional(v.nullable(v.array(v.string())), []),
});

export type OwnerReference = v.InferOutput<typeof OwnerReferenceSchema>;
export type ObjectMeta = v.InferOutput<typeof ObjectMetaSchema>;

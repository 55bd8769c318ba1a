import * as v from 'valibot';
import { ObjectMetaSchema } from '../k8s/object-meta.js';

// The SpiffeID custom resource (spiffeid.spiffe.io/v1beta1, namespaced), as the original registrar's crd
// mode defined it: one SpiffeID declares exactly one SPIRE registration entry. Field names are the
// original's JSON names, so existing objects and manifests keep working.
// Ref: spiffe/spire history, support/k8s/k8s-workload-registrar/mode-crd/api/spiffeid/v1beta1/spiffeid_types.go.

export const SPIFFEID_GROUP = 'spiffeid.spiffe.io';
export const SPIFFEID_VERSION = 'v1beta1';
export const SPIFFEID_API_VERSION = `${SPIFFEID_GROUP}/${SPIFFEID_VERSION}`;
export const SPIFFEID_KIND = 'SpiffeID';
export const SPIFFEID_PLURAL = 'spiffeids';
/** The original's finalizer name: keeping it lets a swapped-in registrar release objects the old one finalized. */
export const SPIFFEID_FINALIZER = 'finalizers.spiffeid.spiffe.io';

const optionalString = v.optional(v.string(), '');
const stringList = v.optional(v.nullable(v.array(v.string())), []);

export const SpiffeIdSelectorSchema = v.looseObject({
  cluster: optionalString,
  agent_node_uid: optionalString,
  podLabel: v.optional(v.nullable(v.record(v.string(), v.string())), {}),
  podName: optionalString,
  podUid: optionalString,
  namespace: optionalString,
  serviceAccount: optionalString,
  containerImage: optionalString,
  containerName: optionalString,
  nodeName: optionalString,
  arbitrary: stringList,
});

export const SpiffeIdSpecSchema = v.looseObject({
  parentId: optionalString,
  spiffeId: v.string(),
  selector: v.optional(SpiffeIdSelectorSchema, {}),
  downstream: v.optional(v.boolean(), false),
  dnsNames: stringList,
  federatesWith: stringList,
});

export const SpiffeIdConditionSchema = v.looseObject({
  type: v.string(),
  status: v.string(),
  reason: optionalString,
  message: optionalString,
  lastTransitionTime: optionalString,
});

export const SpiffeIdStatusSchema = v.looseObject({
  entryId: v.optional(v.nullable(v.string())),
  conditions: v.optional(v.nullable(v.array(SpiffeIdConditionSchema)), []),
});

export const SpiffeIdSchema = v.looseObject({
  metadata: ObjectMetaSchema,
  spec: SpiffeIdSpecSchema,
  status: v.optional(SpiffeIdStatusSchema, {}),
});

export type SpiffeIdSelector = v.InferOutput<typeof SpiffeIdSelectorSchema>;
export type SpiffeIdSpec = v.InferOutput<typeof SpiffeIdSpecSchema>;
export type SpiffeIdCondition = v.InferOutput<typeof SpiffeIdConditionSchema>;
export type SpiffeIdStatus = v.InferOutput<typeof SpiffeIdStatusSchema>;
export type SpiffeId = v.InferOutput<typeof SpiffeIdSchema>;

/** `namespace/name`, the key every crd-mode plan uses for a SpiffeID. */
export function spiffeIdKey(o: { readonly metadata: { readonly namespace: string; readonly name: string } }): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}

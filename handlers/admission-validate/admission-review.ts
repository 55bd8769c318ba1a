import * as v from 'valibot';
import { clipInput, maxQuotedChars, quoteInput } from '../text/quote-input.js';

// admission.k8s.io AdmissionReview, v1 and v1beta1. The two versions have the same request and response
// fields (v1beta1 is the older name; `warnings` exists in both since Kubernetes 1.19). The response must
// carry the request's apiVersion and kind, and `response.uid` must equal `request.uid`.
// Only the fields the registrar reads are declared; looseObject lets the rest pass through.

export const admissionApiVersions = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type AdmissionApiVersion = (typeof admissionApiVersions)[number];

export const GroupVersionKindSchema = v.looseObject({
  group: v.optional(v.string(), ''),
  version: v.string(),
  kind: v.string(),
});

const maxUidChars = 256;

export const AdmissionRequestSchema = v.looseObject({
  // The API server's uids are UUIDs; the answer must repeat the uid, so a long one is refused, not echoed.
  uid: v.pipe(v.string(), v.minLength(1, 'request.uid must not be empty'), v.maxLength(maxUidChars, `request.uid must be at most ${maxUidChars} characters`)),
  kind: GroupVersionKindSchema,
  subResource: v.optional(v.string(), ''),
  name: v.optional(v.string(), ''),
  namespace: v.optional(v.string(), ''),
  operation: v.string(),
  object: v.optional(v.unknown()),
  oldObject: v.optional(v.unknown()),
  dryRun: v.optional(v.nullable(v.boolean()), false),
  /** Who sent the request, as the API server authenticated it. */
  userInfo: v.optional(v.looseObject({ username: v.optional(v.string(), '') }), {}),
});

/** Just enough to tell a supported AdmissionReview from anything else (answered 400 with its own message). */
export const ReviewTypeSchema = v.looseObject({
  apiVersion: v.optional(v.unknown()),
  kind: v.optional(v.unknown()),
});

export const AdmissionReviewSchema = v.looseObject({
  apiVersion: v.picklist(admissionApiVersions),
  kind: v.literal('AdmissionReview'),
  request: AdmissionRequestSchema,
});

export type AdmissionRequest = v.InferOutput<typeof AdmissionRequestSchema>;
export type AdmissionReview = v.InferOutput<typeof AdmissionReviewSchema>;

export type AdmissionResponse = {
  readonly uid: string;
  readonly allowed: boolean;
  readonly warnings?: readonly string[];
  /** Why a request is refused: the API server shows `message` to the user (crd mode's SpiffeID webhook). */
  readonly status?: { readonly code: number; readonly message: string };
};

export type AdmissionReviewResponse = {
  readonly apiVersion: AdmissionApiVersion;
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
};

/** Why a body is not a supported AdmissionReview, or undefined when its apiVersion and kind are supported. */
export function unsupportedReviewType(body: unknown): string | undefined {
  const t = v.safeParse(ReviewTypeSchema, body);
  if (!t.success || Array.isArray(body)) return 'body is not a JSON object';
  const { apiVersion, kind } = t.output;
  if (kind === 'AdmissionReview' && admissionApiVersions.includes(apiVersion as AdmissionApiVersion)) return undefined;
  return `unsupported apiVersion/kind ${quoteInput(apiVersion ?? '')}/${quoteInput(kind ?? '')}; expected AdmissionReview in ${admissionApiVersions.join(' or ')}`;
}

/**
 * One-line summary of valibot issues: `request.uid: Invalid type: Expected string but received undefined`.
 * valibot quotes the received value in full, so each issue is cut, and at most a few are listed.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const shown = issues.slice(0, maxIssues).map((i) => {
    const path = v.getDotPath(i);
    return clipInput(path ? `${path}: ${i.message}` : i.message, 2 * maxQuotedChars);
  });
  if (issues.length > maxIssues) shown.push(`${issues.length - maxIssues} more`);
  return shown.join('; ');
}

const maxIssues = 5;

/** Wraps a response in an AdmissionReview of the request's own apiVersion. */
export function reviewResponse(review: Pick<AdmissionReview, 'apiVersion'>, response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response };
}

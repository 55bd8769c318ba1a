import * as v from 'valibot';
import type { AdmissionRequest, AdmissionResponse } from '../admission-validate/admission-review.js';
import type { Entry } from '../entries/entry.js';
import { sameSpec } from './declared-spiffeid.js';
import { SpiffeIdSchema, type SpiffeId } from './spiffeid.js';
import { duplicateOf, validateSpiffeId, type SpiffeIdOrigin, type SpiffeIdRules } from './validate-spiffeid.js';

// The SpiffeID validating webhook's decision: CREATE and UPDATE must pass validateSpiffeId (the same
// rules the controller applies before writing to SPIRE); CREATE must also not duplicate an existing
// entry. A refusal is allowed=false with code 403 and a message naming the broken rule, which kubectl
// shows as `admission webhook ... denied the request: <message>`.
// Difference: an UPDATE that leaves the spec as it was (labels, owner references, finalizers) is always
// allowed. The original validated every UPDATE, so a SpiffeID that became invalid (e.g. created while the
// webhook was off) could not even have its finalizer released and stayed stuck in deletion.
// Status is guarded too (deploy/crd/webhook routes spiffeids/status here): only the registrar's own
// service account may write it. The controller does not trust status.entryId anyway (see
// spiffeid-reconcile/entry-ownership.ts); this keeps users from writing misleading conditions.
// Requests from the registrar's own service account are its controllers' SpiffeIDs: the namespace
// policy does not apply to them (the base rules do).

export const SPIFFEID_WEBHOOK_PATH = '/validate-spiffeid-spiffe-io-v1beta1-spiffeid';

export type RequestSpiffeId = { readonly ok: true; readonly spiffeId: SpiffeId } | { readonly ok: false; readonly message: string };

/** The SpiffeID a CREATE/UPDATE request carries, in the request's namespace (the object may omit it on create). */
export function spiffeIdOfRequest(request: AdmissionRequest): RequestSpiffeId {
  const parsed = v.safeParse(SpiffeIdSchema, request.object);
  if (!parsed.success) {
    const detail = parsed.issues.map((i) => `${v.getDotPath(i) ?? ''}: ${i.message}`).join('; ');
    return { ok: false, message: `object is not a valid SpiffeID: ${detail}` };
  }
  const s = parsed.output;
  return { ok: true, spiffeId: { ...s, metadata: { ...s.metadata, namespace: s.metadata.namespace || request.namespace } } };
}

/** Whether the decision needs the entries that have this SpiffeID's selectors (CREATE only). */
export function needsDuplicateCheck(request: AdmissionRequest): boolean {
  return request.operation === 'CREATE';
}

/** `username` is the registrar's own identity (system:serviceaccount:<ns>:<name> in a cluster). */
export function originOf(request: AdmissionRequest, registrarUsername: string): SpiffeIdOrigin {
  return registrarUsername !== '' && request.userInfo.username === registrarUsername ? 'registrar' : 'user';
}

/**
 * @param existing entries whose selector set equals the SpiffeID's (ListEntries by_selectors MATCH_EXACT);
 *   only read for CREATE.
 * @param registrarUsername the registrar's own user name; only it may write status.
 */
export function reviewSpiffeId(
  request: AdmissionRequest,
  rules: SpiffeIdRules,
  existing: readonly Entry[],
  registrarUsername: string,
): AdmissionResponse {
  const allow: AdmissionResponse = { uid: request.uid, allowed: true };
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow;
  const deny = (message: string): AdmissionResponse => ({ uid: request.uid, allowed: false, status: { code: 403, message } });
  const origin = originOf(request, registrarUsername);
  if (request.subResource === 'status') {
    if (origin === 'registrar') return allow;
    return deny(`refused by rule statusWriter: only the registrar's service account may write SpiffeID status, not ${JSON.stringify(request.userInfo.username)}`);
  }
  const got = spiffeIdOfRequest(request);
  if (!got.ok) return deny(got.message);
  if (request.operation === 'UPDATE') {
    const old = v.safeParse(SpiffeIdSchema, request.oldObject);
    if (old.success && sameSpec(old.output.spec, got.spiffeId.spec)) return allow;
  }
  const problem = validateSpiffeId(got.spiffeId, rules, origin) ?? (needsDuplicateCheck(request) ? duplicateOf(got.spiffeId, existing) : undefined);
  return problem ? deny(problem.message) : allow;
}

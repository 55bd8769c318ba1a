// The SpiffeID validating webhook as a Hono app: webhook mode's admission app (routing, content checks,
// AdmissionReview v1/v1beta1) with crd mode's decision. Only CREATE of an otherwise valid SpiffeID needs
// SPIRE: one ListEntries by exactly its selectors, to refuse duplicates as the original did. Status
// updates are allowed only from the registrar's own user.
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { EntryStore } from '../../adapters/entry-store.js';
import type { AdmissionReview, AdmissionResponse } from '../../handlers/admission-validate/admission-review.js';
import { spiffeIdSelectors } from '../../handlers/spiffeid/selectors.js';
import { needsDuplicateCheck, originOf, reviewSpiffeId, SPIFFEID_WEBHOOK_PATH, spiffeIdOfRequest } from '../../handlers/spiffeid/review-spiffeid.js';
import { validateSpiffeId, type SpiffeIdRules } from '../../handlers/spiffeid/validate-spiffeid.js';
import { createAdmissionApp } from '../webhook/admission-app.js';

export type SpiffeIdWebhookOptions = {
  readonly store: EntryStore;
  readonly rules: SpiffeIdRules;
  /** The registrar's own user name (runtime/kube/self-username.ts): only it may write status. */
  readonly registrarUsername: string;
  readonly log: Logger;
  /** Deadline of the duplicate lookup; default 8 s. */
  readonly spireTimeoutMs?: number;
};

export function createSpiffeIdWebhookApp(opts: SpiffeIdWebhookOptions): Hono {
  const { store, rules, log } = opts;
  const review = async (r: AdmissionReview): Promise<AdmissionResponse> => {
    const req = r.request;
    let existing: Awaited<ReturnType<EntryStore['listEntries']>> = [];
    const got = spiffeIdOfRequest(req);
    if (needsDuplicateCheck(req) && got.ok && !validateSpiffeId(got.spiffeId, rules, originOf(req, opts.registrarUsername))) {
      existing = await store.listEntries(
        { bySelectors: { selectors: spiffeIdSelectors(got.spiffeId.spec.selector), match: 'exact' } },
        // Unpaged: an exact selector set matches a handful of entries, and a paged listing costs an extra empty call.
        { signal: AbortSignal.timeout(opts.spireTimeoutMs ?? 8_000), pageSize: 0 },
      );
    }
    const response = reviewSpiffeId(req, rules, existing, opts.registrarUsername);
    const fields = { uid: req.uid, operation: req.operation, subResource: req.subResource, namespace: req.namespace, name: req.name, username: req.userInfo.username };
    if (response.allowed) log.debug(fields, 'Allowed SpiffeID');
    else log.info({ ...fields, reason: response.status?.message }, 'Denied SpiffeID');
    return response;
  };
  return createAdmissionApp({ review, isReady: () => true, notReadyReason: '', logger: log, path: SPIFFEID_WEBHOOK_PATH });
}

// One pod admission review: the pure decision (handlers/admission-validate), its notes written as log
// lines, then its entry operations against SPIRE under a deadline shorter than the API server's
// webhook timeout (10 s by default), so that a slow SPIRE gives a clear 500 rather than a timeout.
import type { Logger } from 'pino';
import type { EntryStore } from '../../adapters/entry-store.js';
import type { AdmissionResponse, AdmissionReview } from '../../handlers/admission-validate/admission-review.js';
import { reviewPod, type PodReviewConfig } from '../../handlers/admission-validate/review-pod.js';
import { applyEntryOps, type EntryCounters } from './apply-entry-ops.js';

export type PodAdmissionOptions = {
  readonly store: EntryStore;
  readonly config: PodReviewConfig;
  readonly log: Logger;
  readonly counters?: EntryCounters;
  /** Deadline for the SPIRE calls of one review; default 8 s. */
  readonly spireTimeoutMs?: number;
};

export function createPodAdmission(opts: PodAdmissionOptions): (review: AdmissionReview) => Promise<AdmissionResponse> {
  return async function reviewPodAdmission(review) {
    const { request } = review;
    const out = reviewPod(request, opts.config);
    opts.log.debug(
      { uid: request.uid, namespace: request.namespace, name: request.name, kind: request.kind.kind, operation: request.operation },
      'Reviewing admission request',
    );
    for (const note of out.notes) opts.log[note.level]({ uid: request.uid, ...note.fields }, note.message);
    // A timer cleared when the review is done, not AbortSignal.timeout(): that one stays armed (with its
    // signal) for the whole deadline, i.e. thousands of live timers at a few hundred admissions a second.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), opts.spireTimeoutMs ?? 8_000);
    try {
      await applyEntryOps(opts.store, out.ops, opts.log, { signal: deadline.signal }, opts.counters);
    } finally {
      clearTimeout(timer);
    }
    return out.response;
  };
}

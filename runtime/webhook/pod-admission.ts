// One pod admission review: the pure decision (handlers/admission-validate), its notes written as log
// lines, then its entry operations against SPIRE under a deadline shorter than the API server's
// webhook timeout (timeoutSeconds in deploy/webhook), so that a slow SPIRE gives a clear 500 rather than a
// timeout. The deadline aborts the gRPC call itself (cancelled on the wire, and a wait-for-ready call
// that never left is never sent), so a review answered 500 does not have its create applied later.
import type { Logger } from 'pino';
import type { EntryStore } from '../../adapters/entry-store.js';
import type { AdmissionResponse, AdmissionReview } from '../../handlers/admission-validate/admission-review.js';
import { reviewPod, type PodReviewConfig } from '../../handlers/admission-validate/review-pod.js';
import { clipInput } from '../../handlers/text/quote-input.js';
import { applyEntryOps, type EntryCounters } from './apply-entry-ops.js';
import { CreatedEntries } from './created-entries.js';

export type PodAdmissionOptions = {
  readonly store: EntryStore;
  readonly config: PodReviewConfig;
  readonly log: Logger;
  readonly counters?: EntryCounters;
  /** Deadline for the SPIRE calls of one review; default 3.5 s (see runtime/modes/webhook.ts). */
  readonly spireTimeoutMs?: number;
  /**
   * Told when a DELETE found no entry for its pod: either the pod never had one, or SPIRE lost it with
   * its data, cluster node entry and all. The runtime checks the node entry then (SPIRE reports no
   * missing parent of its own: it accepts entries under any parent ID).
   */
  readonly onNothingToDelete?: () => void;
  /** Entries created per pod UID, so that a DELETE can go by ID (default: a map of 10,000 pods). */
  readonly created?: CreatedEntries;
};

export function createPodAdmission(opts: PodAdmissionOptions): (review: AdmissionReview) => Promise<AdmissionResponse> {
  const created = opts.created ?? new CreatedEntries();
  return async function reviewPodAdmission(review) {
    const { request } = review;
    const out = reviewPod(request, opts.config);
    // Built only when debug lines are written: at info level (the default) this object and its five cut
    // strings were garbage on every admission, and young-generation garbage is what the tail waits on
    // (bench/README.md, "webhook tail").
    if (opts.log.isLevelEnabled('debug')) {
      opts.log.debug(
        // Cut: a forged review may carry megabytes in any of these.
        { uid: clipInput(request.uid), namespace: clipInput(request.namespace), name: clipInput(request.name), kind: clipInput(request.kind.kind), operation: clipInput(request.operation) },
        'Reviewing admission request',
      );
    }
    for (const note of out.notes) opts.log[note.level]({ uid: clipInput(request.uid), ...note.fields }, note.message);
    // A timer cleared when the review is done, not AbortSignal.timeout(): that one stays armed (with its
    // signal) for the whole deadline, i.e. thousands of live timers at a few hundred admissions a second.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), opts.spireTimeoutMs ?? 3_500);
    try {
      const applied = await applyEntryOps(opts.store, out.ops, opts.log, { signal: deadline.signal }, opts.counters, created);
      if (applied.nothingToDelete > 0) opts.onNothingToDelete?.();
    } finally {
      clearTimeout(timer);
    }
    return out.response;
  };
}

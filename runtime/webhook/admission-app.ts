// The admission webhook as a plain Hono app (tested with app.request, no socket): routing, content
// checks and HTTP errors. What a review *means* is the injected `review` function's business.
// Every error is a one-line text/plain body; the Kubernetes API server shows it in its own error, and its
// failurePolicy decides whether the pod is admitted.
import { Hono } from 'hono';
import type { Logger } from 'pino';
import * as v from 'valibot';
import {
  AdmissionReviewSchema,
  describeIssues,
  reviewResponse,
  unsupportedReviewType,
  type AdmissionResponse,
  type AdmissionReview,
} from '../../handlers/admission-validate/admission-review.js';
import { clipInput, quoteInput } from '../../handlers/text/quote-input.js';
import { oneLineError } from './error-message.js';
import { readBodyText, requestHeader } from './request-body.js';

/** The API server sends at most its own request limit (3 MiB) plus the review envelope around it. */
export const maxAdmissionBodyBytes = 3 * 1024 * 1024;
/** Characters of an error body and its log line. */
const maxMessageChars = 2048;

export type AdmissionAppOptions = {
  /** Decides one review; throws when it cannot (answered 500). */
  readonly review: (review: AdmissionReview) => Promise<AdmissionResponse>;
  /** False until start-up work is done (answered 503). */
  readonly isReady: () => boolean;
  /** Why the app is not ready, for the 503 body. */
  readonly notReadyReason: string;
  readonly logger: Logger;
  readonly path?: string;
  readonly maxBodyBytes?: number;
};

export function createAdmissionApp(opts: AdmissionAppOptions): Hono {
  const path = opts.path ?? '/validate';
  const maxBodyBytes = opts.maxBodyBytes ?? maxAdmissionBodyBytes;
  const log = opts.logger;
  const app = new Hono();
  const fail = (status: 400 | 404 | 405 | 413 | 500 | 503, full: string, extra: Record<string, unknown> = {}) => {
    // Messages quote input already cut per value (handlers/text/quote-input.ts); this bounds the whole line.
    const message = clipInput(full, maxMessageChars);
    log[status === 500 ? 'error' : 'warn']({ status, ...extra, error: message }, 'Admission request failed');
    return new Response(`${message}\n`, {
      status,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...(status === 405 ? { allow: 'POST' } : {}) },
    });
  };

  app.notFound((c) => fail(404, `Not found: ${clipInput(c.req.path)}`));
  app.onError((err) => fail(500, `Internal error occurred: ${oneLineError(err)}`, { err }));

  // One handler for every method: a single matching handler skips hono's middleware composition.
  app.all(path, async function validate(c) {
    // The original's words (webhookhandler.go), with the method that was used.
    if (c.req.method !== 'POST') return fail(405, `Expected POST; got ${c.req.method}`);
    const type = requestHeader(c, 'content-type') ?? '';
    const media = type.split(';')[0]?.trim().toLowerCase();
    if (media !== 'application/json') return fail(400, `Expected JSON content; got Content-Type ${quoteInput(type)}`);
    const text = await readBodyText(c, maxBodyBytes);
    if (text === undefined) return fail(413, `Request body is larger than ${maxBodyBytes} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      return fail(400, `Malformed JSON body: ${oneLineError(err)}`);
    }
    const unsupported = unsupportedReviewType(body);
    if (unsupported) return fail(400, `Unsupported AdmissionReview: ${unsupported}`);
    const parsed = v.safeParse(AdmissionReviewSchema, body);
    if (!parsed.success) return fail(400, `Invalid AdmissionReview: ${describeIssues(parsed.issues)}`);
    if (!opts.isReady()) return fail(503, `Service unavailable: ${opts.notReadyReason}`);
    const review = parsed.output;
    let response: AdmissionResponse;
    try {
      response = await opts.review(review);
    } catch (err) {
      return fail(500, `Internal error occurred: ${oneLineError(err)}`, { err, uid: review.request.uid });
    }
    return c.json(reviewResponse(review, response));
  });
  return app;
}

// Admission: callbacks (and, in admission-webhooks.ts, ValidatingWebhookConfigurations) consulted on
// create, update and delete BEFORE anything is persisted, as a real API server's validating admission does.
import { ApiError } from './status.js';
import type { KubeObject } from './types.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** The `request` of an admission.k8s.io/v1 AdmissionReview, exactly as a webhook receives it. */
export type AdmissionRequest = {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  requestKind: { group: string; version: string; kind: string };
  requestResource: { group: string; version: string; resource: string };
  name: string;
  namespace?: string;
  operation: AdmissionOperation;
  userInfo: { username: string; groups: string[] };
  object: KubeObject | null;
  oldObject: KubeObject | null;
  dryRun: boolean;
  options: Record<string, unknown> | null;
};

export type AdmissionResult = { allowed: boolean; message?: string; code?: number; reason?: string; warnings?: string[] };

export type AdmissionHook = (req: AdmissionRequest) => Promise<AdmissionResult> | AdmissionResult;

export type AdmissionMatch = {
  /** Hook name used in denial messages (`admission webhook "<name>" denied the request: ...`). */
  name?: string;
  // 'pods' matches pods and its subresources (pods/status); 'pods/status' only the subresource; '*' and
  // '*/*' everything; absent matches all. (Webhook configurations use the stricter rule syntax below.)
  resources?: string[];
  operations?: AdmissionOperation[];
};

/** A reviewer answers for one request: undefined if it does not apply, else its result. */
export type AdmissionReviewer = (req: AdmissionRequest) => Promise<Array<{ name: string; result: AdmissionResult }>>;

export class Admission {
  readonly #hooks = new Set<{ hook: AdmissionHook; match: AdmissionMatch }>();
  readonly #reviewers: AdmissionReviewer[] = [];

  /** Registers a hook; returns a function that removes it. */
  onAdmission(hook: AdmissionHook, match: AdmissionMatch = {}): () => void {
    const entry = { hook, match };
    this.#hooks.add(entry);
    return () => this.#hooks.delete(entry);
  }

  addReviewer(reviewer: AdmissionReviewer): void {
    this.#reviewers.push(reviewer);
  }

  /** Runs every matching hook; throws the API server's denial Status if one denies. Returns warnings. */
  async review(req: AdmissionRequest): Promise<string[]> {
    const answers: Array<{ name: string; result: AdmissionResult }> = [];
    for (const { hook, match } of this.#hooks) {
      if (!matches(match, req)) continue;
      answers.push({ name: match.name ?? 'fake-admission', result: await hook(req) });
    }
    for (const reviewer of this.#reviewers) answers.push(...(await reviewer(req)));
    const warnings: string[] = [];
    for (const { name, result } of answers) {
      warnings.push(...(result.warnings ?? []));
      if (!result.allowed) throw denial(name, result);
    }
    return warnings;
  }
}

// Ref: admissionregistration/v1 RuleWithOperations.resources: '*' is every resource, '*/*' adds subresources.
export function resourceMatches(patterns: readonly string[], resource: string, subResource: string | undefined): boolean {
  const full = subResource ? `${resource}/${subResource}` : resource;
  return patterns.some((p) => {
    if (p === full || p === '*/*') return true;
    if (p === '*') return subResource === undefined;
    const [res, sub] = p.split('/');
    if (sub === undefined || subResource === undefined) return false;
    return (res === '*' || res === resource) && (sub === '*' || sub === subResource);
  });
}

function matches(m: AdmissionMatch, req: AdmissionRequest): boolean {
  const resOk = !m.resources || m.resources.includes('*') || m.resources.includes(req.resource.resource) ||
    resourceMatches(m.resources, req.resource.resource, req.subResource);
  const opOk = !m.operations || m.operations.includes(req.operation);
  return resOk && opOk;
}

/** Ref: k8s.io/apiserver/pkg/admission/plugin/webhook/errors ToStatusErr: codes below 400 become 400. */
export function denial(name: string, result: AdmissionResult): ApiError {
  const code = result.code !== undefined && result.code >= 400 ? result.code : 400;
  const deniedBy = `admission webhook "${name}" denied the request`;
  const message = result.message ? `${deniedBy}: ${result.message}` : `${deniedBy} without explanation`;
  return new ApiError(code === 403 ? 'Forbidden' : 'BadRequest', message, undefined, code);
}

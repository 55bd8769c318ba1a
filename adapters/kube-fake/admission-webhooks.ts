// ValidatingWebhookConfigurations stored in the fake API server, called the way a real API server calls
// them: for each webhook whose rules, namespaceSelector and objectSelector match, POST an
// admission.k8s.io/v1 AdmissionReview over HTTPS (trusting its caBundle, presenting the configured client
// certificate), honouring timeoutSeconds and failurePolicy.
import { request } from 'node:https';
import { type AdmissionRequest, type AdmissionResult, type AdmissionReviewer, resourceMatches } from './admission.js';
import { type LabelSelectorObject, matchesSelectorObject } from './label-selector-object.js';
import { ApiError } from './status.js';
import type { ObjectStore } from './store.js';

export const VWC_KEY = 'validatingwebhookconfigurations.admissionregistration.k8s.io';

export type ServiceRef = { namespace: string; name: string; port: number; path?: string };

export type WebhookClientOptions = {
  /** Where a webhook's clientConfig.service is reachable (a real cluster would use the Service's endpoints). */
  resolveService?: (svc: ServiceRef) => { host: string; port: number } | undefined;
  /** Client certificate presented to webhooks (the AdmissionConfiguration's kubeconfig in a real cluster). */
  clientCert?: { certPem: string; keyPem: string };
};

type Rule = { operations?: string[]; apiGroups?: string[]; apiVersions?: string[]; resources?: string[]; scope?: string };
type Webhook = {
  name: string;
  clientConfig?: { url?: string; caBundle?: string; service?: { namespace?: string; name?: string; port?: number; path?: string } };
  rules?: Rule[];
  failurePolicy?: 'Fail' | 'Ignore';
  namespaceSelector?: LabelSelectorObject;
  objectSelector?: LabelSelectorObject;
  timeoutSeconds?: number;
  sideEffects?: string;
};

export function webhookReviewer(store: ObjectStore, opts: WebhookClientOptions): AdmissionReviewer {
  return async (req) => {
    const answers: Array<{ name: string; result: AdmissionResult }> = [];
    for (const config of store.list(VWC_KEY)) {
      for (const hook of (config.obj['webhooks'] ?? []) as Webhook[]) {
        if (!applies(store, hook, req)) continue;
        if (req.dryRun && hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') {
          throw new ApiError('BadRequest', `admission webhook "${hook.name}" does not support dry run`);
        }
        answers.push({ name: hook.name, result: await call(hook, req, opts) });
      }
    }
    return answers;
  };
}

function applies(store: ObjectStore, hook: Webhook, req: AdmissionRequest): boolean {
  const ruleMatches = (hook.rules ?? []).some((r) =>
    anyOf(r.operations, req.operation) && anyOf(r.apiGroups, req.resource.group) && anyOf(r.apiVersions, req.resource.version) &&
    resourceMatches(r.resources ?? [], req.resource.resource, req.subResource) &&
    (r.scope === undefined || r.scope === '*' || (r.scope === 'Namespaced') === (req.namespace !== undefined)));
  if (!ruleMatches) return false;
  if (req.namespace !== undefined) {
    const ns = store.get('namespaces', '', req.namespace)?.obj.metadata.labels;
    if (!matchesSelectorObject(hook.namespaceSelector, ns)) return false;
  }
  const labelsOf = (o: AdmissionRequest['object']) => o?.metadata.labels;
  return matchesSelectorObject(hook.objectSelector, labelsOf(req.object) ?? labelsOf(req.oldObject));
}

function anyOf(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((x) => x === '*' || x === value);
}

async function call(hook: Webhook, req: AdmissionRequest, opts: WebhookClientOptions): Promise<AdmissionResult> {
  try {
    return await post(hook, req, opts);
  } catch (err) {
    if (hook.failurePolicy === 'Ignore') return { allowed: true };
    throw new ApiError('InternalError', `Internal error occurred: failed calling webhook "${hook.name}": ${(err as Error).message}`);
  }
}

function target(hook: Webhook, opts: WebhookClientOptions): { url: URL; servername?: string } {
  const cc = hook.clientConfig ?? {};
  if (cc.url) return { url: new URL(cc.url) };
  const svc = cc.service;
  if (!svc?.name || !svc.namespace) throw new Error('webhook clientConfig has neither url nor service');
  const ref: ServiceRef = { namespace: svc.namespace, name: svc.name, port: svc.port ?? 443, ...(svc.path ? { path: svc.path } : {}) };
  const at = opts.resolveService?.(ref);
  if (!at) throw new Error(`service "${svc.namespace}/${svc.name}" is not reachable from the fake API server (no resolveService answer)`);
  return { url: new URL(`https://${at.host}:${at.port}${svc.path ?? '/'}`), servername: `${svc.name}.${svc.namespace}.svc` };
}

function post(hook: Webhook, req: AdmissionRequest, opts: WebhookClientOptions): Promise<AdmissionResult> {
  const { url, servername } = target(hook, opts);
  const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: req });
  const ca = hook.clientConfig?.caBundle ? Buffer.from(hook.clientConfig.caBundle, 'base64').toString('utf8') : undefined;
  const timeoutMs = (hook.timeoutSeconds ?? 10) * 1000;
  return new Promise((resolve, reject) => {
    const r = request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) },
      ...(ca ? { ca } : {}),
      ...(servername ? { servername } : {}),
      ...(opts.clientCert ? { cert: opts.clientCert.certPem, key: opts.clientCert.keyPem } : {}),
      timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(parseReview(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), req.uid));
        } catch (err) {
          reject(err);
        }
      });
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`Post "${url.href}": context deadline exceeded`)));
    r.on('error', (err) => reject(new Error(`failed to call webhook: Post "${url.href}": ${err.message}`, { cause: err })));
    r.end(body);
  });
}

function parseReview(status: number, text: string, uid: string): AdmissionResult {
  if (status < 200 || status > 299) throw new Error(`received invalid webhook response: HTTP ${status}`);
  const review = JSON.parse(text) as { response?: { uid?: string; allowed?: boolean; status?: { code?: number; message?: string; reason?: string }; warnings?: string[] } };
  const res = review.response;
  if (!res || typeof res.allowed !== 'boolean') throw new Error('received invalid webhook response: no response.allowed');
  if (res.uid !== uid) throw new Error(`expected response.uid="${uid}", got "${res.uid ?? ''}"`);
  return {
    allowed: res.allowed,
    ...(res.status?.message ? { message: res.status.message } : {}),
    ...(res.status?.code !== undefined ? { code: res.status.code } : {}),
    ...(res.status?.reason ? { reason: res.status.reason } : {}),
    ...(res.warnings ? { warnings: res.warnings } : {}),
  };
}

import * as v from 'valibot';
import { newEntry, type Entry, type Selector } from '../entries/entry.js';
import { selector } from '../entries/selectors.js';
import { workloadSpiffeId, type IdentityConfig } from '../identity/workload-spiffe-id.js';
import { PodSchema, type Pod } from '../k8s/pod.js';
import { clusterNodeId, type ClusterNodeConfig } from '../webhook-node/cluster-node-entry.js';
import { dnsLabelProblem, dnsSubdomainProblem } from '../identity/kubernetes-names.js';
import { clipInput, quoteInput } from '../text/quote-input.js';
import { describeIssues, type AdmissionRequest, type AdmissionResponse } from './admission-review.js';
import { federatesWithOf } from './federates-with.js';

// Webhook mode's decision for one pod admission request (the original registrar's controller.go,
// reviewAdmission): the pod is always allowed; what varies is which SPIRE entry operations follow.
// The decision is data; runtime/webhook performs the operations and writes the notes as log lines.

export type PodReviewConfig = IdentityConfig &
  ClusterNodeConfig & {
    readonly disabledNamespaces: readonly string[];
  };

/**
 * Entry operations, performed by the runtime in order. Both are idempotent. `podUid` (the pod's
 * metadata.uid, '' when the request carries none) lets the runtime pair a DELETE with the entry its CREATE made.
 */
export type EntryOp =
  | { readonly op: 'create'; readonly entry: Entry; readonly podUid?: string }
  /** Delete every entry whose selector set is exactly `selectors` and whose parent is `parentId`. */
  | { readonly op: 'delete'; readonly parentId: string; readonly selectors: readonly Selector[]; readonly podUid?: string };

export type NoteLevel = 'debug' | 'info' | 'warn' | 'error';
/** A log line for the runtime to write: constant message, variable data in fields. */
export type ReviewNote = {
  readonly level: NoteLevel;
  readonly message: string;
  readonly fields: Readonly<Record<string, string>>;
};

export type PodReview = {
  readonly response: AdmissionResponse;
  readonly ops: readonly EntryOp[];
  readonly notes: readonly ReviewNote[];
};

/** Prefix of every AdmissionResponse warning, so that users see who is talking (kubectl prints "Warning: ..."). */
export const warningPrefix = 'k8s-workload-registrar: ';

export function podSelectors(namespace: string, name: string): Selector[] {
  return [selector('k8s', `ns:${namespace}`), selector('k8s', `pod-name:${name}`)];
}

export function reviewPod(request: AdmissionRequest, cfg: PodReviewConfig): PodReview {
  // Every field is cut to a few hundred characters: a forged review may carry megabytes in any of them.
  const about = {
    namespace: clipInput(request.namespace),
    name: clipInput(request.name),
    kind: clipInput(`${request.kind.group}/${request.kind.version}/${request.kind.kind}`),
    operation: clipInput(request.operation),
  };
  const allow = (ops: readonly EntryOp[], notes: readonly ReviewNote[], warnings: readonly string[] = []): PodReview => ({
    response: { uid: request.uid, allowed: true, ...(warnings.length > 0 ? { warnings: [...warnings] } : {}) },
    ops,
    notes,
  });
  const note = (level: NoteLevel, message: string, extra: Record<string, string> = {}): ReviewNote => ({
    level,
    message,
    fields: { ...about, ...Object.fromEntries(Object.entries(extra).map(([k, value]) => [k, clipInput(value, maxNoteChars)])) },
  });

  if (cfg.disabledNamespaces.includes(request.namespace)) {
    return allow([], [note('debug', 'Ignoring pod in disabled namespace')]);
  }
  const { group, version, kind } = request.kind;
  if (group !== '' || version !== 'v1' || kind !== 'Pod' || request.subResource !== '') {
    return allow([], [note('warn', 'Admission review request is not for a pod')]);
  }
  if (request.operation !== 'CREATE' && request.operation !== 'DELETE') {
    return allow([], [note('warn', 'Admission review operation is not handled')]);
  }
  // The webhook is declared sideEffects: NoneOnDryRun, so a dry run must not touch SPIRE.
  if (request.dryRun === true) {
    return allow([], [note('debug', 'Ignoring dry-run admission request')]);
  }

  if (request.operation === 'DELETE') {
    const old = objectMetadata(request.oldObject);
    const mismatch = requestMismatch(old, request);
    if (mismatch) {
      return allow([], [note('warn', 'Pod entry not deleted', { reason: mismatch })], [`${warningPrefix}SPIRE entry not deleted: ${mismatch}`]);
    }
    const podUid = old.uid;
    const name = request.name || old.name;
    if (name === '') {
      const reason = 'the DELETE request names no pod';
      return allow([], [note('warn', 'Pod entry not deleted', { reason })], [`${warningPrefix}SPIRE entry not deleted: ${reason}`]);
    }
    // A name Kubernetes would not accept never had an entry; it must not become a selector filter either.
    const invalid = namesProblem(request.namespace, name);
    if (invalid) {
      return allow([], [note('warn', 'Pod entry not deleted', { reason: invalid })], [`${warningPrefix}SPIRE entry not deleted: ${clipInput(invalid, maxNoteChars)}`]);
    }
    return allow([{ op: 'delete', parentId: clusterNodeId(cfg), selectors: podSelectors(request.namespace, name), podUid }], []);
  }

  const parsed = v.safeParse(PodSchema, request.object);
  if (!parsed.success) {
    const reason = `the request's pod object is invalid: ${describeIssues(parsed.issues)}`;
    return allow([], [note('error', 'Pod entry not created', { reason })], [`${warningPrefix}no SPIRE entry created: ${reason}`]);
  }
  const mismatch = requestMismatch(parsed.output.metadata, request);
  if (mismatch) {
    return allow([], [note('warn', 'Pod entry not created', { reason: mismatch })], [`${warningPrefix}no SPIRE entry created: ${mismatch}`]);
  }
  return reviewPodCreate(podInRequest(parsed.output, request), cfg, allow, note);
}

/** Characters of one reason kept in a note or warning: reasons quote input, already cut per value. */
const maxNoteChars = 1024;

/**
 * The API server fills request.namespace and request.name from the object it admits (oldObject on
 * DELETE), so they never differ from the pod's own. A review where they do is forged, and the two halves
 * of this decision would disagree (CREATE: disabled_namespaces reads the request, the entry's selectors
 * the pod; DELETE: the selectors come from the request, the UID that pairs it with its CREATE from the
 * pod): refuse it, on CREATE and DELETE alike.
 */
function requestMismatch(pod: { readonly namespace: string; readonly name: string }, request: AdmissionRequest): string | undefined {
  const { namespace, name } = pod;
  if (namespace !== '' && namespace !== request.namespace) {
    return `the pod's namespace ${quoteInput(namespace)} is not the request's namespace ${quoteInput(request.namespace)}`;
  }
  if (name !== '' && request.name !== '' && name !== request.name) {
    return `the pod's name ${quoteInput(name)} is not the request's name ${quoteInput(request.name)}`;
  }
  return undefined;
}

function namesProblem(namespace: string, name: string): string | undefined {
  const ns = dnsLabelProblem(namespace);
  if (ns) return `namespace ${quoteInput(namespace)} ${ns}`;
  const n = dnsSubdomainProblem(name);
  return n ? `pod name ${quoteInput(name)} ${n}` : undefined;
}

function reviewPodCreate(
  pod: Pod,
  cfg: PodReviewConfig,
  allow: (ops: readonly EntryOp[], notes: readonly ReviewNote[], warnings?: readonly string[]) => PodReview,
  note: (level: NoteLevel, message: string, extra?: Record<string, string>) => ReviewNote,
): PodReview {
  const { name } = pod.metadata;
  const refuse = (reason: string): PodReview =>
    allow([], [note('error', 'Pod entry not created', { name, reason })], [`${warningPrefix}no SPIRE entry created: ${clipInput(reason, maxNoteChars)}`]);

  // The API server applies generateName before validating webhooks run, so a template-made pod arrives
  // with its final name in object.metadata.name. Without a name the entry's pod-name selector would be
  // empty (SPIRE refuses it) and no later DELETE could find the entry, so nothing is written.
  if (name === '') return refuse('the pod has no name (metadata.name and request.name are empty)');

  const rendered = webhookPodEntry(pod, cfg);
  if (rendered.kind === 'entry') return allow([{ op: 'create', entry: rendered.entry, podUid: pod.metadata.uid }], []);
  if (rendered.kind === 'none') return allow([], [note('debug', 'Pod has no identity', { name, reason: rendered.reason })]);
  return refuse(rendered.reason);
}

export type RenderedPodEntry =
  | { readonly kind: 'entry'; readonly entry: Entry }
  | { readonly kind: 'none' | 'invalid'; readonly reason: string };

/**
 * The entry webhook mode registers for a named pod: its workload SPIFFE ID under the cluster node entry,
 * selected by namespace and pod name. The admission review and the catch-up (webhook-catch-up.ts) both
 * render through here, so a pod gets the same entry whichever of them sees it.
 */
export function webhookPodEntry(pod: Pod, cfg: PodReviewConfig): RenderedPodEntry {
  const identity = workloadSpiffeId(pod, cfg);
  if (identity.kind !== 'id') return identity;
  const federation = federatesWithOf(pod, cfg.trustDomain);
  if (!federation.ok) return { kind: 'invalid', reason: federation.error };
  const entry = newEntry({
    spiffeId: identity.spiffeId,
    parentId: clusterNodeId(cfg),
    selectors: podSelectors(pod.metadata.namespace, pod.metadata.name),
    federatesWith: federation.trustDomains,
  });
  return { kind: 'entry', entry };
}

/** The pod as admitted: namespace and name fall back to the request's when the object omits them. */
function podInRequest(pod: Pod, request: AdmissionRequest): Pod {
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      namespace: pod.metadata.namespace || request.namespace,
      name: pod.metadata.name || request.name,
    },
  };
}

const MetadataSchema = v.object({
  metadata: v.object({ namespace: v.optional(v.string(), ''), name: v.optional(v.string(), ''), uid: v.optional(v.string(), '') }),
});

/** A DELETE's oldObject metadata; '' for what it lacks (or all of it, when it is not an object with metadata). */
function objectMetadata(object: unknown): { namespace: string; name: string; uid: string } {
  const parsed = v.safeParse(MetadataSchema, object);
  return parsed.success ? parsed.output.metadata : { namespace: '', name: '', uid: '' };
}

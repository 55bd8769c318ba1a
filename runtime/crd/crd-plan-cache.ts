// The crd pass's memo of per-object planning work, so a pass costs what changed rather than the cluster's
// size: a pod's declared SpiffeID, the compare of a declared SpiffeID with the stored one, a SpiffeID's
// validation, wanted entry, entry key and own entry ID, the compare of a held entry with the wanted one,
// and whether a status would change. Each is a pure function of the objects it is keyed by (and of the
// config and templates, fixed for the process), so it is computed once per object and reused until the
// object is replaced. That holds because nothing here is ever changed in place: the informers replace a
// projection on every change and keep the held one when a re-list finds it equal (informer-cache.ts),
// CrdEntries replaces an entry on every write or listing, and the handlers build new objects.
// WeakMaps: an object the informers drop is forgotten with it.
// What depends on other objects or on the clock (masking by entry key, foreign entries under a key, orphans,
// the status timestamps) is not cached: the plans compute it afresh on every pass from these parts.
// runtime/crd/crd-plan-cache.test.ts checks the plans equal the uncached ones over generated clusters.
import { controllerDerivations, type ControllerDerivations, type CrdControllersConfig } from '../../handlers/crd-pod/declared-spiffeids.js';
import type { PodOutcome } from '../../handlers/crd-pod/pod-spiffeid.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { declaredKey, declaredVerdict, type DeclaredDerivations } from '../../handlers/spiffeid/plan-declared.js';
import { withDeclaredSpec, type RegistrarDeclaredDerivations } from '../../handlers/spiffeid/registrar-declared.js';
import { spiffeIdKey, type SpiffeId, type SpiffeIdSpec } from '../../handlers/spiffeid/spiffeid.js';
import { spiffeIdEntry } from '../../handlers/spiffeid/spiffeid-entry.js';
import { entryKey } from '../../handlers/entries/entry-key.js';
import type { SpiffeIdOrigin, SpiffeIdProblem } from '../../handlers/spiffeid/validate-spiffeid.js';
import {
  spiffeIdDerivations,
  spiffeIdFacts,
  type FactParts,
  type SpiffeIdDerivations,
  type SpiffeIdPlanConfig,
} from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import type { Readiness } from '../../handlers/spiffeid-reconcile/status.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import type { CrdTemplates } from '../../handlers/templates/crd-templates.js';
import { createInterner } from '../kube/shared-values.js';
import { compactOutcome } from './compact-declared.js';

export type CrdPlanCache = {
  /** spiffeIdKey. */
  readonly key: (s: SpiffeId) => string;
  /** For declaredSpiffeIds. */
  readonly controllers: ControllerDerivations;
  /** For planDeclaredSpiffeIds. */
  readonly declared: DeclaredDerivations;
  /** For withDeclaredSpecs: the same object for the same pair, so the entry planner's caches hit. */
  readonly registrarDeclared: RegistrarDeclaredDerivations;
  /** For planSpiffeIdEntries. */
  readonly spiffeIds: SpiffeIdDerivations;
  /** The key of the entry a SpiffeID with this spec wants, by the spec object (also the slice index's). */
  readonly wantKey: (spec: SpiffeIdSpec) => string;
};

export function createCrdPlanCache(cfg: CrdControllersConfig & SpiffeIdPlanConfig, templates: CrdTemplates): CrdPlanCache {
  const fresh = controllerDerivations(cfg, templates);
  const plain = spiffeIdDerivations(cfg);
  // The declared SpiffeIDs are kept as long as their pods: their repeated strings shared (compact-declared.ts).
  const intern = createInterner();

  const pods = new WeakMap<Pod, { readonly names: readonly string[]; readonly out: PodOutcome }>();
  const pod = (p: Pod, names: readonly string[]): PodOutcome => {
    const hit = pods.get(p);
    // The service DNS names come from other objects (EndpointSlices): part of the key.
    if (hit && sameStrings(hit.names, names)) return hit.out;
    const out = compactOutcome(intern, fresh.pod(p, names));
    pods.set(p, { names, out });
    return out;
  };

  // The namespace policy applies to a user's SpiffeID only: one memo per origin.
  const problemOf: Record<SpiffeIdOrigin, (s: SpiffeId) => SpiffeIdProblem | undefined> = {
    user: byObject((s) => plain.problem(s, 'user')),
    registrar: byObject((s) => plain.problem(s, 'registrar')),
  };
  const problem = (s: SpiffeId, origin: SpiffeIdOrigin) => problemOf[origin](s);

  type StatusKey = { readonly entryId: string | null; readonly readiness: Readiness; readonly changed: boolean };
  const READY: Readiness = { ready: true };
  const statuses = new WeakMap<SpiffeId, StatusKey>();
  const statusChanged = (s: SpiffeId, entryId: string | null, readiness: Readiness) => {
    const hit = statuses.get(s);
    if (hit && hit.entryId === entryId && sameReadiness(hit.readiness, readiness)) return hit.changed;
    const changed = plain.statusChanged(s, entryId, readiness);
    // The shared object for the common case: a memo entry per SpiffeID should not keep one of its own.
    statuses.set(s, { entryId, readiness: readiness.ready ? READY : readiness, changed });
    return changed;
  };

  // By the metadata object, which a declared SpiffeID's view shares with the stored object: one string for both.
  const keyOfMeta = byObject((m: SpiffeId['metadata']) => spiffeIdKey({ metadata: m }));
  const key = (s: SpiffeId) => keyOfMeta(s.metadata);
  const factParts: FactParts = { key, wantKey: byObject((spec: SpiffeIdSpec) => entryKey(spiffeIdEntry({ spec }))) };
  const declaredKeyOf = byObject(declaredKey);
  return {
    key,
    wantKey: factParts.wantKey,
    controllers: { node: byObject((n) => compactOutcome(intern, fresh.node(n))), pod },
    declared: { key, declaredKey: declaredKeyOf, verdict: byPair(declaredVerdict) },
    registrarDeclared: { key, declaredKey: declaredKeyOf, view: byPair(withDeclaredSpec) },
    spiffeIds: {
      // By the spec object: a new view of a registrar-declared SpiffeID (which shares its owner's declared
      // spec) keeps it; a user's SpiffeID gets a new spec object with every version, and is derived again.
      facts: byObject((s) => spiffeIdFacts(s, cfg.entryIdPrefix, factParts)),
      problem,
      entryKey: byObject<Entry, string>(plain.entryKey),
      // Not kept: only a SpiffeID whose entry is written needs it.
      wanted: plain.wanted,
      matches: byPair<Entry, SpiffeId, boolean>(plain.matches),
      statusChanged,
    },
  };
}

/** `f` computed once per object. */
function byObject<K extends object, V>(f: (k: K) => V): (k: K) => V {
  const memo = new WeakMap<K, V>();
  return (k) => {
    const hit = memo.get(k);
    if (hit !== undefined || memo.has(k)) return hit as V;
    const v = f(k);
    memo.set(k, v);
    return v;
  };
}

/** `f` computed once per pair, remembering the last second object per first object. */
function byPair<A extends object, B, V>(f: (a: A, b: B) => V): (a: A, b: B) => V {
  const memo = new WeakMap<A, { readonly b: B; readonly v: V }>();
  return (a, b) => {
    const hit = memo.get(a);
    if (hit && hit.b === b) return hit.v;
    const v = f(a, b);
    memo.set(a, { b, v });
    return v;
  };
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

function sameReadiness(a: Readiness, b: Readiness): boolean {
  if (a.ready || b.ready) return a.ready === b.ready;
  return a.reason === b.reason && a.message === b.message;
}

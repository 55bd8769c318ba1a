import { controllerOwner, type DeclaredSpiffeId } from './declared-spiffeid.js';
import { declaredKey, type DeclaredDerivations } from './plan-declared.js';
import { spiffeIdKey, type SpiffeId } from './spiffeid.js';

/**
 * The SpiffeIDs as the entry planner should see them: one the registrar's node/pod controllers declare
 * (same namespace/name, controlled by the declaring Node or Pod) carries the declared spec, not whatever
 * is stored, and is exempt from the namespace policy. A user who edits a pod's SpiffeID therefore gets
 * no entry from the edit, not even for the one pass before the controller writes the spec back.
 * @param derive the per-object work; `view` must return withDeclaredSpec's result (a memoized version
 *   returns the same object for the same pair, so the entry planner's caches, keyed by the object, hit).
 */
export function withDeclaredSpecs(
  spiffeIds: readonly SpiffeId[],
  declared: readonly DeclaredSpiffeId[],
  derive: RegistrarDeclaredDerivations = { key: spiffeIdKey, declaredKey, view: withDeclaredSpec },
): { readonly spiffeIds: readonly SpiffeId[]; readonly registrarDeclared: ReadonlySet<string> } {
  const byKey = new Map(declared.map((d) => [derive.declaredKey(d), d]));
  const registrarDeclared = new Set<string>();
  const out = spiffeIds.map((s) => {
    const key = derive.key(s);
    const d = byKey.get(key);
    if (!d || controllerOwner(s)?.uid !== d.owner.uid) return s;
    registrarDeclared.add(key);
    return derive.view(s, d);
  });
  return { spiffeIds: out, registrarDeclared };
}

export type RegistrarDeclaredDerivations = Pick<DeclaredDerivations, 'key' | 'declaredKey'> & {
  readonly view: (s: SpiffeId, d: DeclaredSpiffeId) => SpiffeId;
};

/** `s` with the spec `d` declares. */
export function withDeclaredSpec(s: SpiffeId, d: DeclaredSpiffeId): SpiffeId {
  return { ...s, spec: d.spec };
}

import { controllerOwner, type DeclaredSpiffeId } from './declared-spiffeid.js';
import { spiffeIdKey, type SpiffeId } from './spiffeid.js';

/**
 * The SpiffeIDs as the entry planner should see them: one the registrar's node/pod controllers declare
 * (same namespace/name, controlled by the declaring Node or Pod) carries the declared spec, not whatever
 * is stored, and is exempt from the namespace policy. A user who edits a pod's SpiffeID therefore gets
 * no entry from the edit, not even for the one pass before the controller writes the spec back.
 */
export function withDeclaredSpecs(
  spiffeIds: readonly SpiffeId[],
  declared: readonly DeclaredSpiffeId[],
): { readonly spiffeIds: readonly SpiffeId[]; readonly registrarDeclared: ReadonlySet<string> } {
  const byKey = new Map(declared.map((d) => [`${d.namespace}/${d.name}`, d]));
  const registrarDeclared = new Set<string>();
  const out = spiffeIds.map((s) => {
    const d = byKey.get(spiffeIdKey(s));
    if (!d || controllerOwner(s)?.uid !== d.owner.uid) return s;
    registrarDeclared.add(spiffeIdKey(s));
    return { ...s, spec: d.spec };
  });
  return { spiffeIds: out, registrarDeclared };
}

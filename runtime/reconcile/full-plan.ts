// A full pass's plan, computed a slice of objects at a time instead of over the whole cluster at once.
// At 100,000 pods, rendering every object and keying every declared and held entry for one diff kept
// ~100 MB of short-lived objects alive together (rendered entries, two maps of long keys), which V8's heap
// growth then doubled into the process's peak RSS. Entries of one object share its key fields, so the
// diff of a set of whole objects (their declared entries against the held entries of the same objects)
// is the whole diff restricted to them, and mergePlans puts the parts' plans in the whole diff's order
// (full-plan.test.ts checks this against diffEntries over everything). This holds because every entry
// the registrar renders names its own source object (a pod's entry has its namespace and name as
// selectors, a node's its name), which `own.objectOf` gives back.
//
// An object whose one declared entry its one held entry already matches (every object, in a resync of a
// cluster in sync) is settled without keys: only the other objects go into a slice's diff.
import { alreadyHeld, diffEntries, type DeclaredEntry, type EntryPlan, mergePlans } from '../../handlers/entries/diff-entries.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { nodeObjectKey, podObjectKey, type Ownership } from '../../handlers/entries/ownership.js';
import type { Node } from '../../handlers/k8s/node.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import type { RenderIssue } from '../../handlers/node-reconcile/node-entries.js';

export type FullPlanInput = {
  readonly nodes: readonly Node[];
  readonly pods: readonly Pod[];
  readonly render: (nodes: readonly Node[], pods: readonly Pod[]) => { declared: DeclaredEntry[]; issues: RenderIssue[] };
  /** The held entries of one object (`node/<name>`, `pod/<ns>/<name>`). */
  readonly entriesOf: (object: string) => readonly Entry[];
  /** Every object with held entries. */
  readonly heldObjects: () => Iterable<string>;
  /** How many objects have held entries. */
  readonly heldObjectCount: number;
  readonly own: Ownership;
  /** Objects per slice; default 2,000. */
  readonly sliceSize?: number;
};

export function fullPlan(inp: FullPlanInput): { plan: EntryPlan; issues: RenderIssue[]; declared: number } {
  const size = inp.sliceSize ?? 2_000;
  const parts: EntryPlan[] = [];
  const issues: RenderIssue[] = [];
  let declaredCount = 0;
  let heldVisited = 0;
  const slice = (keys: readonly string[], nodes: readonly Node[], pods: readonly Pod[]) => {
    const r = inp.render(nodes, pods);
    declaredCount += r.declared.length;
    for (const i of r.issues) issues.push(i);
    const declared: DeclaredEntry[] = [];
    const current: Entry[] = [];
    // Declared entries come in object order (render walks nodes, then pods, in order).
    let at = 0;
    for (const key of keys) {
      const start = at;
      while (at < r.declared.length && (r.declared[at] as DeclaredEntry).source === key) at++;
      const held = inp.entriesOf(key);
      if (held.length > 0) heldVisited++;
      if (at - start === 1 && held.length === 1 && alreadyHeld((r.declared[start] as DeclaredEntry).entry, held[0] as Entry)) continue;
      for (let i = start; i < at; i++) declared.push(r.declared[i] as DeclaredEntry);
      for (const e of held) current.push(e);
    }
    // Declared entries of an unexpected source (none today): diffed too, so that nothing is dropped.
    for (let i = at; i < r.declared.length; i++) declared.push(r.declared[i] as DeclaredEntry);
    if (declared.length === 0 && current.length === 0) return;
    const plan = diffEntries(declared, current, inp.own);
    if (plan.create.length + plan.update.length + plan.delete.length + plan.masked.length > 0) parts.push(plan);
  };
  for (let i = 0; i < inp.nodes.length; i += size) {
    const nodes = inp.nodes.slice(i, i + size);
    slice(nodes.map((n) => nodeObjectKey(n.metadata.name)), nodes, []);
  }
  for (let i = 0; i < inp.pods.length; i += size) {
    const pods = inp.pods.slice(i, i + size);
    slice(pods.map((p) => podObjectKey(p.metadata.namespace, p.metadata.name)), [], pods);
  }
  // Held entries of objects the cluster no longer has (only looked for when some exist).
  if (heldVisited < inp.heldObjectCount) {
    const present = new Set([...inp.nodes.map((n) => nodeObjectKey(n.metadata.name)), ...inp.pods.map((p) => podObjectKey(p.metadata.namespace, p.metadata.name))]);
    const gone: Entry[] = [];
    for (const o of inp.heldObjects()) if (!present.has(o)) for (const e of inp.entriesOf(o)) gone.push(e);
    if (gone.length > 0) parts.push(diffEntries([], gone, inp.own));
  }
  return { plan: parts.length === 0 ? diffEntries([], [], inp.own) : mergePlans(parts), issues, declared: declaredCount };
}

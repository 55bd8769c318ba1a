// A full pass's plan, computed a slice of objects at a time instead of over the whole cluster at once.
// At 100,000 pods, rendering every object and keying every declared and held entry for one diff kept
// ~100 MB of short-lived objects alive together (rendered entries, two maps of long keys), which V8's heap
// growth then doubled into the process's peak RSS. Entries of one object share its key fields, so the
// diff of a slice (its objects' declared entries against the held entries of the same objects) is the
// whole diff restricted to it, and mergePlans puts the slices' plans in the whole diff's order
// (full-plan.test.ts checks both against diffEntries over everything). This holds because every entry
// the registrar renders names its own source object (a pod's entry has its namespace and name as
// selectors, a node's its name), which `own.objectOf` gives back.
import { diffEntries, type DeclaredEntry, type EntryPlan, mergePlans } from '../../handlers/entries/diff-entries.js';
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
  readonly own: Ownership;
  /** Objects per slice; default 2,000. */
  readonly sliceSize?: number;
};

export function fullPlan(inp: FullPlanInput): { plan: EntryPlan; issues: RenderIssue[]; declared: number } {
  const size = inp.sliceSize ?? 2_000;
  const parts: EntryPlan[] = [];
  const issues: RenderIssue[] = [];
  let declaredCount = 0;
  const seen = new Set<string>();
  const slice = (nodes: readonly Node[], pods: readonly Pod[]) => {
    const r = inp.render(nodes, pods);
    const current: Entry[] = [];
    const add = (object: string) => {
      seen.add(object);
      for (const e of inp.entriesOf(object)) current.push(e);
    };
    for (const n of nodes) add(nodeObjectKey(n.metadata.name));
    for (const p of pods) add(podObjectKey(p.metadata.namespace, p.metadata.name));
    declaredCount += r.declared.length;
    for (const i of r.issues) issues.push(i);
    const plan = diffEntries(r.declared, current, inp.own);
    if (plan.create.length + plan.update.length + plan.delete.length + plan.masked.length > 0) parts.push(plan);
  };
  for (let i = 0; i < inp.nodes.length; i += size) slice(inp.nodes.slice(i, i + size), []);
  for (let i = 0; i < inp.pods.length; i += size) slice([], inp.pods.slice(i, i + size));
  // Held entries of objects the cluster no longer has.
  const gone: Entry[] = [];
  for (const o of inp.heldObjects()) if (!seen.has(o)) for (const e of inp.entriesOf(o)) gone.push(e);
  if (gone.length > 0) parts.push(diffEntries([], gone, inp.own));
  return { plan: parts.length === 0 ? diffEntries([], [], inp.own) : mergePlans(parts), issues, declared: declaredCount };
}

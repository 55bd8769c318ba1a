import { diffEntries, type DeclaredEntry } from '../entries/diff-entries.js';
import type { Entry } from '../entries/entry.js';
import { entryKey } from '../entries/entry-key.js';
import { nodeObjectKey, podObjectKey, reconcileOwnership, type Ownership } from '../entries/ownership.js';
import type { Endpoints } from '../k8s/endpoints.js';
import type { Node } from '../k8s/node.js';
import type { Pod } from '../k8s/pod.js';
import { nodeEntries, nodeRootId } from '../node-reconcile/node-entries.js';
import { podEntries, type PodEntriesConfig } from '../pod-reconcile/pod-entries.js';
import { describeUpdate, NOT_OWNED, type Change, type ChangePlan } from './change-plan.js';

// Reconcile mode's full pass (runtime/reconcile/reconciler.ts) as a plan: the same declared entries,
// ownership and diff, with the reason for each change.

export type ReconcileView = { readonly nodes: readonly Node[]; readonly pods: readonly Pod[]; readonly endpoints: readonly Endpoints[] };

export function planReconcile(view: ReconcileView, entries: readonly Entry[], cfg: PodEntriesConfig): ChangePlan {
  const own = reconcileOwnership(nodeRootId(cfg), cfg.cluster);
  const n = nodeEntries(view.nodes, cfg);
  const p = podEntries(view.pods, cfg.addPodDnsNames ? view.endpoints : [], cfg);
  const declared = [...n.declared, ...p.declared];
  const issues = new Map([...n.issues, ...p.issues].map((i) => [i.object, i.reason]));
  return withReasons(diffEntries(declared, entries, own), declared, entries, own, {
    exists: existing(view),
    issue: (o) => issues.get(o),
    problems: [...issues].map(([o, reason]) => `${o}: ${reason}`),
  });
}

type Context = {
  readonly exists: (object: string) => boolean;
  readonly issue: (object: string) => string | undefined;
  readonly problems: readonly string[];
};

function withReasons(
  plan: ReturnType<typeof diffEntries>,
  declared: readonly DeclaredEntry[],
  entries: readonly Entry[],
  own: Ownership,
  ctx: Context,
): ChangePlan {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const declaredKeys = new Set(declared.map((d) => entryKey(d.entry)));
  const declaring = new Set(declared.map((d) => d.source));
  const sourceOf = new Map(declared.map((d) => [entryKey(d.entry), d.source]));
  const what = (object: string) => object.replace('/', ' ');

  const create: Change[] = plan.create.map((e) => ({ entry: e, reason: `no entry for ${what(sourceOf.get(entryKey(e)) ?? 'the object')}` }));
  const update: Change[] = plan.update.map((e) => {
    const current = byId.get(e.id);
    return { entry: e, reason: current ? describeUpdate(current, e) : 'fields changed' };
  });
  const del: Change[] = plan.delete.map((e) => {
    const object = own.objectOf(e) ?? '';
    const kind = object.slice(0, object.indexOf('/'));
    let reason: string;
    if (!ctx.exists(object)) reason = `no ${kind}`;
    else if (declaredKeys.has(entryKey(e))) reason = 'duplicate: another entry has the same SPIFFE ID, parent ID and selectors';
    else if (declaring.has(object)) reason = `the ${kind} now declares another entry (SPIFFE ID or selectors changed)`;
    else reason = `the ${kind} declares no entry${ctx.issue(object) ? `: ${ctx.issue(object)}` : ''}`;
    return { entry: e, reason };
  });
  const touched = new Set([...plan.update, ...plan.delete].map((e) => e.id));
  const leftAlone = entries.filter((e) => !touched.has(e.id) && own.objectOf(e) === undefined).map((e) => ({ entry: e, reason: NOT_OWNED }));
  return { create, update, delete: del, leftAlone, problems: ctx.problems };
}

function existing(view: ReconcileView): (object: string) => boolean {
  const objects = new Set([
    ...view.nodes.map((n) => nodeObjectKey(n.metadata.name)),
    ...view.pods.map((p) => podObjectKey(p.metadata.namespace, p.metadata.name)),
  ]);
  return (o) => objects.has(o);
}

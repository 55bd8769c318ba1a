import type { DeclaredEntry, EntryPlan } from '../entries/diff-entries.js';
import type { Entry } from '../entries/entry.js';
import { entryKey } from '../entries/entry-key.js';
import type { Ownership } from '../entries/ownership.js';
import { describeUpdate, NOT_OWNED, type Change, type ChangePlan } from './change-plan.js';

// The reason for each change of a diffEntries plan (reconcile mode, webhook catch-up), from what was
// declared, what exists in the cluster and what the ownership rule says about each entry.

export type ReasonContext = {
  readonly exists: (object: string) => boolean;
  readonly issue: (object: string) => string | undefined;
  readonly problems: readonly string[];
  /** Which entries the mode may change; default: those `own` recognises. */
  readonly owned?: (e: Entry) => boolean;
};

export function withReasons(
  plan: EntryPlan,
  declared: readonly DeclaredEntry[],
  entries: readonly Entry[],
  own: Ownership,
  ctx: ReasonContext,
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
  const owned = ctx.owned ?? ((e: Entry) => own.objectOf(e) !== undefined);
  const leftAlone = entries.filter((e) => !touched.has(e.id) && !owned(e)).map((e) => ({ entry: e, reason: NOT_OWNED }));
  return { create, update, delete: del, leftAlone, problems: ctx.problems };
}

// Applies an EntryPlan for every mode that plans against SPIRE (reconcile mode's pass, webhook mode's
// catch-up): deletes, then creates, then updates, each one batched call, so that two similar entries are
// never left behind and a workload is without an entry no longer than needed. Each input item's result is
// read once: NOT_FOUND on delete and ALREADY_EXISTS on create count as success (the entry is as we want
// it). What an outcome means (an index, counters, the mode's log phrases) is the caller's.
import type { EntryResult, EntryStore } from '../adapters/entry-store.js';
import type { EntryPlan } from '../handlers/entries/diff-entries.js';
import type { Entry } from '../handlers/entries/entry.js';
import { StatusCode, type Status } from '../handlers/entries/status-code.js';

export type PlanOp = 'delete' | 'create' | 'update';

export type PlanOutcomes = {
  /** OK or NOT_FOUND. */
  deleted(want: Entry): void;
  /** OK, or ALREADY_EXISTS (`existing`: SPIRE had an identical entry; `result.entry` is SPIRE's). */
  created(want: Entry, result: EntryResult, existing: boolean): void;
  updated(want: Entry, result: EntryResult): void;
  failed(op: PlanOp, want: Entry, status: Status): void;
  /** Runs each batched call (e.g. to forget what the caller knows of SPIRE when a whole call fails). */
  call?<T>(op: PlanOp, run: () => Promise<T>): Promise<T>;
};

const noResult: Status = { code: StatusCode.UNKNOWN, message: 'no result' };

export async function applyEntryPlan(plan: EntryPlan, store: EntryStore, outcomes: PlanOutcomes, signal?: AbortSignal): Promise<void> {
  const options = signal ? { signal } : {};
  const call = <T>(op: PlanOp, run: () => Promise<T>): Promise<T> => {
    // Leadership lost (or shutdown) between two phases: write nothing more.
    signal?.throwIfAborted();
    return outcomes.call ? outcomes.call(op, run) : run();
  };

  if (plan.delete.length > 0) {
    const results = await call('delete', () => store.deleteEntries(plan.delete.map((e) => e.id), options));
    plan.delete.forEach((want, i) => {
      const status = results[i]?.status ?? noResult;
      if (status.code === StatusCode.OK || status.code === StatusCode.NOT_FOUND) outcomes.deleted(want);
      else outcomes.failed('delete', want, status);
    });
  }
  if (plan.create.length > 0) {
    const results = await call('create', () => store.createEntries(plan.create, options));
    plan.create.forEach((want, i) => {
      const result = results[i] ?? { status: noResult };
      const code = result.status.code;
      if (code === StatusCode.OK || code === StatusCode.ALREADY_EXISTS) outcomes.created(want, result, code === StatusCode.ALREADY_EXISTS);
      else outcomes.failed('create', want, result.status);
    });
  }
  if (plan.update.length > 0) {
    const results = await call('update', () => store.updateEntries(plan.update, undefined, options));
    plan.update.forEach((want, i) => {
      const result = results[i] ?? { status: noResult };
      if (result.status.code === StatusCode.OK) outcomes.updated(want, result);
      else outcomes.failed('update', want, result.status);
    });
  }
}

export function statusText(s: Status): string {
  return `${s.code}: ${s.message}`;
}

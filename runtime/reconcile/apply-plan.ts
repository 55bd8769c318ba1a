// Performs a plan against SPIRE in the order that never leaves two similar entries behind and never
// leaves a workload without an entry longer than needed: deletes, then creates, then updates (the
// EntryStore batches each). Every item's outcome is logged once and recorded in the owned index;
// ALREADY_EXISTS on create and NOT_FOUND on delete count as success (the entry is as we want it).
import type { Logger } from 'pino';
import type { EntryPlan } from '../../handlers/entries/diff-entries.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { StatusCode, type Status } from '../../handlers/entries/status-code.js';
import type { EntryStore } from '../../adapters/entry-store.js';
import { entryLogFields, LogField } from '../log-fields.js';
import type { OwnedIndex } from './owned-index.js';

export type ApplyCounts = { created: number; updated: number; deleted: number; failed: number };

export type ApplyDeps = {
  readonly store: EntryStore;
  readonly index: OwnedIndex;
  readonly log: Logger;
  readonly signal?: AbortSignal;
};

export async function applyPlan(plan: EntryPlan, deps: ApplyDeps): Promise<ApplyCounts> {
  const { store, index, log } = deps;
  const counts: ApplyCounts = { created: 0, updated: 0, deleted: 0, failed: 0 };
  const options = deps.signal ? { signal: deps.signal } : {};
  const failed = (what: string, e: Entry, status: Status) => {
    counts.failed++;
    log.warn({ ...entryLogFields(e), [LogField.status]: statusText(status) }, what);
  };

  if (plan.delete.length > 0) {
    const results = await guarded(index, 'delete entries', () => store.deleteEntries(plan.delete.map((e) => e.id), options), deps.signal);
    results.forEach((r, i) => {
      const e = plan.delete[i] as Entry;
      if (r.status.code === StatusCode.OK || r.status.code === StatusCode.NOT_FOUND) {
        index.remove(e.id);
        counts.deleted++;
        log.info(entryLogFields(e), 'Deleted entry');
      } else failed('Failed to delete entry', e, r.status);
    });
  }

  if (plan.create.length > 0) {
    const results = await guarded(index, 'create entries', () => store.createEntries(plan.create, options), deps.signal);
    results.forEach((r, i) => {
      const want = plan.create[i] as Entry;
      if (r.status.code === StatusCode.OK && r.entry) {
        index.put(r.entry);
        counts.created++;
        log.info(entryLogFields(r.entry), 'Created new spire entry');
      } else if (r.status.code === StatusCode.ALREADY_EXISTS && r.entry) {
        index.put(r.entry);
        log.debug(entryLogFields(r.entry), 'Found existing identical spire entry');
      } else failed('Failed to create spire entry', want, r.status);
    });
  }

  if (plan.update.length > 0) {
    const results = await guarded(index, 'update entries', () => store.updateEntries(plan.update, undefined, options), deps.signal);
    results.forEach((r, i) => {
      const want = plan.update[i] as Entry;
      if (r.status.code === StatusCode.OK) {
        index.put(r.entry ?? want);
        counts.updated++;
        log.info(entryLogFields(r.entry ?? want), 'Updated spire entry');
      } else {
        // NOT_FOUND: deleted behind our back; the next full pass recreates it.
        if (r.status.code === StatusCode.NOT_FOUND) index.invalidate();
        failed('Failed to update spire entry', want, r.status);
      }
    });
  }
  return counts;
}

/** A whole call that fails leaves us unsure what the server holds: list again on the next pass. */
async function guarded<T>(index: OwnedIndex, what: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  // Leadership lost (or shutdown) between two phases: write nothing more.
  signal?.throwIfAborted();
  try {
    return await call();
  } catch (cause) {
    index.invalidate();
    throw new Error(what, { cause });
  }
}

function statusText(s: Status): string {
  return `${s.code}: ${s.message}`;
}

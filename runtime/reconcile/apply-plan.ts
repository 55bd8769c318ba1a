// Reconcile mode's side of applying a plan (runtime/apply-entry-plan.ts: order, batching, which statuses
// count as success): every item's outcome is logged once and recorded in the owned index.
import type { Logger } from 'pino';
import type { EntryPlan } from '../../handlers/entries/diff-entries.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { StatusCode, type Status } from '../../handlers/entries/status-code.js';
import type { EntryStore } from '../../adapters/entry-store.js';
import { applyEntryPlan, statusText } from '../apply-entry-plan.js';
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
  const failed = (what: string, e: Entry, status: Status) => {
    counts.failed++;
    log.warn({ ...entryLogFields(e), [LogField.status]: statusText(status) }, what);
  };
  await applyEntryPlan(
    plan,
    store,
    {
      deleted(e) {
        index.remove(e.id);
        counts.deleted++;
        log.info(entryLogFields(e), 'Deleted entry');
      },
      created(want, r, existing) {
        // The index needs SPIRE's entry (its ID); without one the next full pass finds it.
        if (!r.entry) return failed('Failed to create spire entry', want, r.status);
        index.put(r.entry);
        if (existing) return log.debug(entryLogFields(r.entry), 'Found existing identical spire entry');
        counts.created++;
        log.info(entryLogFields(r.entry), 'Created new spire entry');
      },
      updated(want, r) {
        index.put(r.entry ?? want);
        counts.updated++;
        log.info(entryLogFields(r.entry ?? want), 'Updated spire entry');
      },
      failed(op, e, status) {
        // NOT_FOUND on update: deleted behind our back; the next full pass recreates it.
        if (op === 'update' && status.code === StatusCode.NOT_FOUND) index.invalidate();
        failed(failureMessage[op], e, status);
      },
      // A whole call that fails leaves us unsure what the server holds: list again on the next pass.
      async call(op, run) {
        try {
          return await run();
        } catch (cause) {
          index.invalidate();
          throw new Error(`${op} entries`, { cause });
        }
      },
    },
    deps.signal,
  );
  return counts;
}

const failureMessage = { delete: 'Failed to delete entry', create: 'Failed to create spire entry', update: 'Failed to update spire entry' } as const;

// Performs a pod review's entry operations against SPIRE. Webhook mode is edge-based by design: a DELETE
// names a pod that no longer exists anywhere we could look it up. When this process created the pod's
// entry (remembered by pod UID in CreatedEntries), the DELETE is one BatchDeleteEntry by that ID;
// otherwise, or if that ID is gone, one ListEntries (exact selectors, under the cluster node entry,
// unpaged) finds what to delete, then one BatchDeleteEntry. Both operations are
// idempotent: ALREADY_EXISTS on create and NOT_FOUND on delete count as success, as in the original.
// A review carries at most one operation, so a failure leaves nothing half-written: either the one entry
// was created, or the listed entries were (or were already) deleted, or nothing was changed at all.
import type { Logger } from 'pino';
import type { CallOptions, EntryStore } from '../../adapters/entry-store.js';
import type { EntryOp } from '../../handlers/admission-validate/review-pod.js';
import { StatusCode, type Status } from '../../handlers/entries/status-code.js';
import { entryLogFields, LogField } from '../log-fields.js';
import { formatSelector } from '../../handlers/entries/selectors.js';
import type { RegistrarMetrics } from '../observability/metrics.js';
import type { CreatedEntries, CreatedEntry } from './created-entries.js';

/** Counters of entries this registrar wrote (an ALREADY_EXISTS or NOT_FOUND result wrote nothing). */
export type EntryCounters = Pick<RegistrarMetrics, 'entriesCreated' | 'entriesDeleted'>;

export async function applyEntryOps(
  store: EntryStore,
  ops: readonly EntryOp[],
  log: Logger,
  options: CallOptions = {},
  counters?: EntryCounters,
  created?: CreatedEntries,
): Promise<{ readonly nothingToDelete: number }> {
  let nothingToDelete = 0;
  for (const op of ops) {
    if (op.op === 'create') await createEntry(store, op, log, options, counters, created);
    else if (!(await deleteEntries(store, op, log, options, counters, created))) nothingToDelete++;
  }
  return { nothingToDelete };
}

async function createEntry(
  store: EntryStore,
  op: Extract<EntryOp, { op: 'create' }>,
  log: Logger,
  options: CallOptions,
  counters: EntryCounters | undefined,
  created: CreatedEntries | undefined,
): Promise<void> {
  const results = await store.createEntries([op.entry], options).catch((err: unknown) => {
    throw new Error('create pod entry', { cause: err });
  });
  const result = results[0];
  if (!result) throw new Error('create pod entry: SPIRE returned no result');
  if (result.status.code !== StatusCode.OK && result.status.code !== StatusCode.ALREADY_EXISTS) {
    log.error({ ...entryLogFields(op.entry), [LogField.status]: statusText(result.status) }, 'Failed to create pod entry');
    throw new Error(`create pod entry: ${statusText(result.status)}`);
  }
  if (result.status.code === StatusCode.OK) counters?.entriesCreated.inc();
  // ALREADY_EXISTS carries the existing entry with the same key: the entry this pod's DELETE would find.
  if (result.entry && op.podUid) created?.remember(op.podUid, result.entry);
  log.info(entryLogFields(result.entry ?? op.entry), 'Created pod entry');
}

async function deleteEntries(
  store: EntryStore,
  op: Extract<EntryOp, { op: 'delete' }>,
  log: Logger,
  options: CallOptions,
  counters: EntryCounters | undefined,
  created: CreatedEntries | undefined,
): Promise<boolean> {
  const known = op.podUid ? created?.take(op.podUid, op.parentId, op.selectors) : undefined;
  if (known && (await deleteKnownEntry(store, known, log, options, counters))) return true;
  const selectors = op.selectors.map(formatSelector).join(',');
  // Unpaged: the exact selector set under one parent matches one entry (a few after an old registrar's
  // duplicates), and a paged listing would always end with a second, empty call.
  const found = await store
    .listEntries({ byParentId: op.parentId, bySelectors: { selectors: op.selectors, match: 'exact' } }, { ...options, pageSize: 0 })
    .catch((err: unknown) => {
      throw new Error('list pod entries', { cause: err });
    });
  if (found.length === 0) {
    log.debug({ [LogField.parentId]: op.parentId, [LogField.selectors]: selectors }, 'No pod entry to delete');
    return false;
  }
  if (found.length > 1) log.warn({ [LogField.selectors]: selectors, count: found.length }, 'Multiple pod entries found to delete');
  const results = await store.deleteEntries(found.map((e) => e.id), options).catch((err: unknown) => {
    throw new Error('delete pod entries', { cause: err });
  });
  const failures: string[] = [];
  found.forEach((entry, i) => {
    const status = results[i]?.status ?? { code: StatusCode.UNKNOWN, message: 'SPIRE returned no result' };
    if (status.code === StatusCode.OK) {
      counters?.entriesDeleted.inc();
      log.info(entryLogFields(entry), 'Deleted pod entry');
    }
    else if (status.code === StatusCode.NOT_FOUND) log.debug(entryLogFields(entry), 'Pod entry already deleted');
    else {
      log.error({ ...entryLogFields(entry), [LogField.status]: statusText(status) }, 'Failed to delete pod entry');
      failures.push(`${entry.id}: ${statusText(status)}`);
    }
  });
  if (failures.length > 0) throw new Error(`delete pod entries: ${failures.join('; ')}`);
  return true;
}

/** Deletes the entry created for this pod by its ID; false if it is gone already (then look it up). */
async function deleteKnownEntry(
  store: EntryStore,
  entry: CreatedEntry,
  log: Logger,
  options: CallOptions,
  counters: EntryCounters | undefined,
): Promise<boolean> {
  const [result] = await store.deleteEntries([entry.id], options).catch((err: unknown) => {
    throw new Error('delete pod entry', { cause: err });
  });
  const status = result?.status ?? { code: StatusCode.UNKNOWN, message: 'SPIRE returned no result' };
  if (status.code === StatusCode.NOT_FOUND) return false;
  if (status.code !== StatusCode.OK) {
    log.error({ ...entryLogFields(entry), [LogField.status]: statusText(status) }, 'Failed to delete pod entry');
    throw new Error(`delete pod entries: ${entry.id}: ${statusText(status)}`);
  }
  counters?.entriesDeleted.inc();
  log.info(entryLogFields(entry), 'Deleted pod entry');
  return true;
}

const codeNames = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

function statusText(s: Status): string {
  return `${codeNames.get(s.code) ?? `code ${s.code}`}: ${s.message}`;
}

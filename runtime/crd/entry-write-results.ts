// How the crd pass takes SPIRE's answer to each entry it wrote: what goes into the held view (CrdEntries),
// the metrics, the log and the Events. One copy for the pass's plain writes (crd-pass.ts) and for the
// legacy moves (migrate-legacy-entries.ts), so both read SPIRE's answers by the same rules.
import type { Logger } from 'pino';
import type { DeleteResult, EntryResult } from '../../adapters/entry-store.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import type { EntryChange } from '../../handlers/events/registrar-event.js';
import type { SpiffeIdRef } from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import { entryLogFields, LogField } from '../log-fields.js';
import type { RegistrarMetrics } from '../observability/metrics.js';
import type { CrdEntries } from './crd-entries.js';

export type EntryResultContext = {
  readonly known: CrdEntries;
  readonly log: Logger;
  readonly metrics?: RegistrarMetrics | undefined;
  readonly entryEvent: (change: EntryChange, owner: SpiffeIdRef | undefined, entryId: string) => void;
  /** Counts a failed write (the pass fails at its end, so the trigger retries). */
  readonly failed: () => void;
};

const ownerFields = (r: SpiffeIdRef | undefined) => (r ? { [LogField.namespace]: r.namespace, [LogField.name]: r.name } : {});

/** A write SPIRE refused: the held view may be wrong now, so the next pass lists again. */
function refused(ctx: EntryResultContext, fields: Record<string, unknown>, msg: string): false {
  ctx.failed();
  ctx.known.invalidate();
  ctx.log.error(fields, msg);
  return false;
}

/**
 * Whether SPIRE now holds `planned`, created for `owner`. ALREADY_EXISTS names our entry only when SPIRE
 * returns the ID we asked for; any other similar entry is someone else's and is not recorded (the next
 * pass reports EntryConflict).
 */
export function tookCreate(res: EntryResult, planned: Entry, owner: SpiffeIdRef, ctx: EntryResultContext): boolean {
  const made = res.entry ?? planned;
  if (res.status.code === StatusCode.OK) {
    ctx.known.put(made);
    ctx.metrics?.entriesCreated.inc();
    ctx.log.info({ ...ownerFields(owner), ...entryLogFields(made) }, 'Created new spire entry');
    ctx.entryEvent('created', owner, made.id);
    return true;
  }
  if (res.status.code === StatusCode.ALREADY_EXISTS && res.entry?.id === planned.id) {
    ctx.known.put(made);
    ctx.log.info({ ...ownerFields(owner), ...entryLogFields(planned) }, 'Found existing entry');
    return true;
  }
  return refused(ctx, { ...ownerFields(owner), ...entryLogFields(planned), [LogField.status]: res.status }, 'Failed to create entry');
}

/** Whether SPIRE took the update of `planned` (the held entry with the written fields replaced). */
export function tookUpdate(res: EntryResult, planned: Entry, owner: SpiffeIdRef | undefined, ctx: EntryResultContext): boolean {
  if (res.status.code !== StatusCode.OK) {
    return refused(ctx, { ...ownerFields(owner), ...entryLogFields(planned), [LogField.status]: res.status }, 'Failed to update entry');
  }
  ctx.known.put(res.entry && res.entry.id === planned.id ? res.entry : planned);
  ctx.metrics?.entriesUpdated.inc();
  ctx.log.info({ ...ownerFields(owner), ...entryLogFields(planned) }, 'Updated entry');
  ctx.entryEvent('updated', owner, planned.id);
  return true;
}

/** Whether the entry `id` is gone from SPIRE (deleted now, or already: NOT_FOUND). */
export function tookDelete(res: DeleteResult, id: string, owner: SpiffeIdRef | undefined, ctx: EntryResultContext): boolean {
  if (res.status.code !== StatusCode.OK && res.status.code !== StatusCode.NOT_FOUND) {
    return refused(ctx, { ...ownerFields(owner), [LogField.entryId]: id, [LogField.status]: res.status }, 'Failed to delete entry');
  }
  ctx.known.remove(id);
  if (res.status.code === StatusCode.OK) {
    ctx.metrics?.entriesDeleted.inc();
    ctx.log.info({ ...ownerFields(owner), [LogField.entryId]: id }, 'Deleted entry');
    ctx.entryEvent('deleted', owner, id);
  }
  return true;
}

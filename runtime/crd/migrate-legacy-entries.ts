// Moves adopted legacy entries to the registrar's own IDs, in the order legacy-migration.ts explains:
// create ours under a stand-in key, update it to the declared key, delete the legacy entry, and only then
// (the caller, with the pass's other status writes) let status.entryId name ours. Each step is one batch
// for every migration of the pass, and a migration goes on to its next step only if this one succeeded;
// one that stops keeps the legacy entry issuing and its status naming it, and the next pass goes on.
import type { Logger } from 'pino';
import type { EntryMask, EntryStore } from '../../adapters/entry-store.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import type { EntryChange } from '../../handlers/events/registrar-event.js';
import type { PlannedMigration, SpiffeIdRef } from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import type { DesiredStatus } from '../../handlers/spiffeid-reconcile/status.js';
import { entryLogFields, LogField } from '../log-fields.js';
import type { RegistrarMetrics } from '../observability/metrics.js';
import type { CrdEntries } from './crd-entries.js';

export type MigrationContext = {
  readonly store: EntryStore;
  readonly known: CrdEntries;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly metrics?: RegistrarMetrics | undefined;
  /** A whole SPIRE call failed: which writes happened is unknown (the caller lists again and throws). */
  readonly unknownOutcome: (err: unknown) => never;
  readonly entryEvent: (change: EntryChange, owner: SpiffeIdRef, entryId: string) => void;
};

/** Step 2 writes only the fields a SpiffeID controls (pickWritable); the rest come from step 1. */
const writableMask: EntryMask = { spiffeId: true, parentId: true, selectors: true, dnsNames: true, federatesWith: true, downstream: true };

/** Runs steps 1-3; returns how many writes failed and the statuses (step 4) of the migrations that finished. */
export async function migrateLegacyEntries(
  migrations: readonly PlannedMigration[],
  ctx: MigrationContext,
): Promise<{ failed: number; done: { owner: SpiffeIdRef; status: DesiredStatus }[] }> {
  const { store, known, signal, log } = ctx;
  let failed = 0;
  const owner = (r: SpiffeIdRef) => ({ [LogField.namespace]: r.namespace, [LogField.name]: r.name });
  const fail = (m: PlannedMigration, fields: Record<string, unknown>, msg: string) => {
    failed++;
    known.invalidate();
    log.error({ ...owner(m.owner), ...fields }, msg);
  };

  // 1. Our entry under the stand-in key (it issues nothing yet).
  let going = migrations.filter((m) => !m.create);
  const creates = migrations.filter((m): m is PlannedMigration & { create: Entry } => m.create !== undefined);
  if (creates.length > 0) {
    const results = await store.createEntries(creates.map((m) => m.create), { signal }).catch(ctx.unknownOutcome);
    results.forEach((res, i) => {
      const m = creates[i] as (typeof creates)[number];
      // ALREADY_EXISTS counts only with our own ID: a similar entry someone else made is not ours.
      if (res.status.code === StatusCode.OK || (res.status.code === StatusCode.ALREADY_EXISTS && res.entry?.id === m.create.id)) {
        known.put(res.entry ?? m.create);
        if (res.status.code === StatusCode.OK) {
          ctx.metrics?.entriesCreated.inc();
          log.info({ ...owner(m.owner), ...entryLogFields(res.entry ?? m.create) }, 'Created new spire entry');
          ctx.entryEvent('created', m.owner, m.create.id);
        }
        going.push(m);
      } else fail(m, { ...entryLogFields(m.create), [LogField.status]: res.status }, 'Failed to create entry');
    });
  }

  // 2. Our entry as declared: from here it issues the identity the legacy entry issues.
  const updates = going.filter((m): m is PlannedMigration & { update: Entry } => m.update !== undefined);
  going = going.filter((m) => !m.update);
  if (updates.length > 0) {
    const results = await store.updateEntries(updates.map((m) => m.update), writableMask, { signal }).catch(ctx.unknownOutcome);
    results.forEach((res, i) => {
      const m = updates[i] as (typeof updates)[number];
      if (res.status.code === StatusCode.OK) {
        known.put(res.entry && res.entry.id === m.update.id ? res.entry : m.update);
        ctx.metrics?.entriesUpdated.inc();
        log.info({ ...owner(m.owner), ...entryLogFields(m.update) }, 'Updated entry');
        going.push(m);
      } else fail(m, { ...entryLogFields(m.update), [LogField.status]: res.status }, 'Failed to update entry');
    });
  }

  // 3. The legacy entry (already gone is fine).
  const done: { owner: SpiffeIdRef; status: DesiredStatus }[] = [];
  if (going.length > 0) {
    const results = await store.deleteEntries(going.map((m) => m.deleteLegacy), { signal }).catch(ctx.unknownOutcome);
    results.forEach((res, i) => {
      const m = going[i] as PlannedMigration;
      if (res.status.code === StatusCode.OK || res.status.code === StatusCode.NOT_FOUND) {
        known.remove(m.deleteLegacy);
        if (res.status.code === StatusCode.OK) {
          ctx.metrics?.entriesDeleted.inc();
          ctx.entryEvent('deleted', m.owner, m.deleteLegacy);
        }
        log.info({ ...owner(m.owner), legacy_entry_id: m.deleteLegacy, [LogField.entryId]: m.status.entryId }, 'Moved a legacy entry to the registrar\'s own entry ID');
        done.push({ owner: m.owner, status: m.status });
      } else fail(m, { [LogField.entryId]: m.deleteLegacy, [LogField.status]: res.status }, 'Failed to delete entry');
    });
  }
  return { failed, done };
}

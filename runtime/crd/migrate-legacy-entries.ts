// Moves adopted legacy entries to the registrar's own IDs, in the order legacy-migration.ts explains:
// create ours under a stand-in key, update it to the declared key, delete the legacy entry, and only then
// (the caller, with the pass's other status writes) let status.entryId name ours. Each step is one batch
// for every migration of the pass, and a migration goes on to its next step only if this one succeeded;
// one that stops keeps the legacy entry issuing and its status naming it, and the next pass goes on.
import type { EntryMask, EntryStore } from '../../adapters/entry-store.js';
import type { Entry } from '../../handlers/entries/entry.js';
import type { PlannedMigration, SpiffeIdRef } from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import type { DesiredStatus } from '../../handlers/spiffeid-reconcile/status.js';
import { LogField } from '../log-fields.js';
import { tookCreate, tookDelete, tookUpdate, type EntryResultContext } from './entry-write-results.js';

export type MigrationContext = EntryResultContext & {
  readonly store: EntryStore;
  readonly signal: AbortSignal;
  /** A whole SPIRE call failed: which writes happened is unknown (the caller lists again and throws). */
  readonly unknownOutcome: (err: unknown) => never;
};

/** Step 2 writes only the fields a SpiffeID controls (pickWritable); the rest come from step 1. */
const writableMask: EntryMask = { spiffeId: true, parentId: true, selectors: true, dnsNames: true, federatesWith: true, downstream: true };

/** Runs steps 1-3 (failed writes are counted through the context); returns the statuses (step 4) of the migrations that finished. */
export async function migrateLegacyEntries(
  migrations: readonly PlannedMigration[],
  ctx: MigrationContext,
): Promise<{ done: { owner: SpiffeIdRef; status: DesiredStatus }[] }> {
  const { store, signal } = ctx;

  // 1. Our entry under the stand-in key (it issues nothing yet).
  let going = migrations.filter((m) => !m.create);
  const creates = migrations.filter((m): m is PlannedMigration & { create: Entry } => m.create !== undefined);
  if (creates.length > 0) {
    const results = await store.createEntries(creates.map((m) => m.create), { signal }).catch(ctx.unknownOutcome);
    results.forEach((res, i) => {
      const m = creates[i] as (typeof creates)[number];
      if (tookCreate(res, m.create, m.owner, ctx)) going.push(m);
    });
  }

  // 2. Our entry as declared: from here it issues the identity the legacy entry issues.
  const updates = going.filter((m): m is PlannedMigration & { update: Entry } => m.update !== undefined);
  going = going.filter((m) => !m.update);
  if (updates.length > 0) {
    const results = await store.updateEntries(updates.map((m) => m.update), writableMask, { signal }).catch(ctx.unknownOutcome);
    results.forEach((res, i) => {
      const m = updates[i] as (typeof updates)[number];
      if (tookUpdate(res, m.update, m.owner, ctx)) going.push(m);
    });
  }

  // 3. The legacy entry (already gone is fine).
  const done: { owner: SpiffeIdRef; status: DesiredStatus }[] = [];
  if (going.length > 0) {
    const results = await store.deleteEntries(going.map((m) => m.deleteLegacy), { signal }).catch(ctx.unknownOutcome);
    results.forEach((res, i) => {
      const m = going[i] as PlannedMigration;
      if (!tookDelete(res, m.deleteLegacy, m.owner, ctx)) return;
      ctx.log.info({ [LogField.namespace]: m.owner.namespace, [LogField.name]: m.owner.name, legacy_entry_id: m.deleteLegacy, [LogField.entryId]: m.status.entryId }, "Moved a legacy entry to the registrar's own entry ID");
      done.push({ owner: m.owner, status: m.status });
    });
  }
  return { done };
}

// Webhook mode's periodic upkeep, one pass per resync interval (and whenever SPIRE comes back or a DELETE
// finds nothing to delete), single-flight behind the same trigger reconcile mode uses:
//  1. The cluster node entry is registered again if it is missing (SPIRE restarted empty): every pod
//     entry hangs under it, and without it no workload gets an identity. One BatchCreateEntry; an
//     ALREADY_EXISTS answer is the normal case and writes nothing.
//  2. With webhook_resync, the catch-up: the pods informer's cache against the entries parented to the
//     cluster node entry (one paged ListEntries), planned by the pure planWebhookCatchUp and applied
//     deletes -> creates -> updates, each logged with the webhook's own phrases.
import type { Logger } from 'pino';
import type { EntryStore } from '../../adapters/entry-store.js';
import type { PodReviewConfig } from '../../handlers/admission-validate/review-pod.js';
import type { EntryPlan } from '../../handlers/entries/diff-entries.js';
import { StatusCode } from '../../handlers/entries/status-code.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import { clusterNodeEntry, clusterNodeId } from '../../handlers/webhook-node/cluster-node-entry.js';
import { planWebhookCatchUp } from '../../handlers/webhook-node/webhook-catch-up.js';
import { untilAborted } from '../aborted.js';
import { applyEntryPlan, statusText } from '../apply-entry-plan.js';
import { entryLogFields, LogField } from '../log-fields.js';
import type { EntryCounters } from './apply-entry-ops.js';

export type PodCache = { list(): readonly Pod[]; synced(): Promise<void> };

export type UpkeepOptions = {
  readonly store: EntryStore;
  readonly config: PodReviewConfig;
  readonly log: Logger;
  readonly counters?: EntryCounters & { readonly entriesUpdated: { inc(n?: number): void } };
  /** The pods informer; set only with webhook_resync = true. */
  readonly pods?: PodCache;
};

export type UpkeepResult = { nodeEntryCreated: boolean; created: number; updated: number; deleted: number; failed: number };

/**
 * Registers the cluster node entry again when SPIRE no longer has it; resolves true when it had to.
 * Rejects when SPIRE cannot be reached or refuses the entry (the caller's trigger retries).
 */
export async function registerMissingNodeEntry(opts: Pick<UpkeepOptions, 'store' | 'config' | 'log' | 'counters'>, signal: AbortSignal): Promise<boolean> {
  const { config, log } = opts;
  const [node] = await opts.store.createEntries([clusterNodeEntry(config)], { signal });
  if (node?.status.code === StatusCode.ALREADY_EXISTS) return false;
  if (node?.status.code !== StatusCode.OK) {
    throw new Error(`register the cluster node entry: ${node?.status.message ?? 'SPIRE returned no result'}`);
  }
  opts.counters?.entriesCreated.inc();
  log.warn({ [LogField.spiffeId]: clusterNodeId(config) }, 'Cluster node entry was missing; registered it again');
  log.info(entryLogFields(node.entry ?? clusterNodeEntry(config)), 'Created pod entry');
  return true;
}

/** One upkeep pass: the node entry, then (with a pod cache) the catch-up. */
export function createWebhookUpkeep(opts: UpkeepOptions): (signal: AbortSignal) => Promise<UpkeepResult> {
  const { store, config, log } = opts;
  return async function upkeep(signal) {
    const result: UpkeepResult = { nodeEntryCreated: await registerMissingNodeEntry(opts, signal), created: 0, updated: 0, deleted: 0, failed: 0 };
    if (!opts.pods) return result;

    // No catch-up before the pods cache is complete: an empty cache would delete every pod entry.
    // Raced with shutdown: a pods cache that never syncs (no RBAC to list pods) must not hold up the exit.
    await untilAborted(opts.pods.synced(), signal);
    signal.throwIfAborted();
    const current = await store.listEntries({ byParentId: clusterNodeId(config) }, { signal });
    const plan = planWebhookCatchUp(opts.pods.list(), current, config);
    for (const issue of plan.issues) log.debug({ object: issue.object, reason: issue.reason }, 'Cannot render entry');
    await applyCatchUp(plan, store, log, signal, result, opts.counters);
    const line = { created: result.created, updated: result.updated, deleted: result.deleted, failed: result.failed, listed: current.length };
    if (result.created + result.updated + result.deleted + result.failed > 0) log.info(line, 'Caught up pod entries');
    else log.debug(line, 'Caught up pod entries');
    if (result.failed > 0) throw new Error(`${result.failed} catch-up writes failed`);
    return result;
  };
}

/** The catch-up's writes, logged with the webhook's own phrases (the original's "Created pod entry", ...). */
async function applyCatchUp(plan: EntryPlan, store: EntryStore, log: Logger, signal: AbortSignal, r: UpkeepResult,
  counters: UpkeepOptions['counters']): Promise<void> {
  await applyEntryPlan(
    plan,
    store,
    {
      deleted(e) {
        r.deleted++;
        counters?.entriesDeleted.inc();
        log.info(entryLogFields(e), 'Deleted pod entry');
      },
      created(e, res, existing) {
        if (!existing) {
          r.created++;
          counters?.entriesCreated.inc();
        }
        log.info(entryLogFields(res.entry ?? e), 'Created pod entry');
      },
      updated(e, res) {
        r.updated++;
        counters?.entriesUpdated.inc();
        log.info(entryLogFields(res.entry ?? e), 'Updated pod entry');
      },
      failed(op, e, status) {
        r.failed++;
        log.error({ ...entryLogFields(e), [LogField.status]: statusText(status) }, failureMessage[op]);
      },
    },
    signal,
  );
}

const failureMessage = { delete: 'Failed to delete pod entry', create: 'Failed to create pod entry', update: 'Failed to update pod entry' } as const;

// Helpers over the harness's SPIRE server: empty it between runs, and count RPCs in the shape the
// report prints.
import type { RpcMethod } from '../../adapters/spire-memory/core.js';
import type { BenchWorld } from './cluster.js';

/** Deletes every entry straight through the core and resets the call counters. */
export async function clearSpire(world: BenchWorld): Promise<void> {
  const ids = world.spire.core.entries().map((e) => e.id);
  for (let i = 0; i < ids.length; i += 1000) await world.spire.core.batchDeleteEntry({ ids: ids.slice(i, i + 1000) });
  world.spire.core.resetCalls();
}

/** Non-zero entry RPC counts, e.g. { ListEntries: 1, BatchCreateEntry: 210 }. */
export function entryCalls(world: BenchWorld): Partial<Record<RpcMethod, number>> {
  const out: Partial<Record<RpcMethod, number>> = {};
  for (const [k, v] of Object.entries(world.spire.core.calls()) as [RpcMethod, number][]) if (v > 0) out[k] = v;
  return out;
}

export function writeCalls(c: Partial<Record<RpcMethod, number>>): number {
  return (c.BatchCreateEntry ?? 0) + (c.BatchUpdateEntry ?? 0) + (c.BatchDeleteEntry ?? 0);
}

export function callsText(c: Partial<Record<RpcMethod, number>>): string {
  const short: Partial<Record<RpcMethod, string>> = { ListEntries: 'list', BatchCreateEntry: 'create', BatchUpdateEntry: 'update', BatchDeleteEntry: 'delete', GetEntry: 'get', CountEntries: 'count' };
  return Object.entries(c).map(([k, v]) => `${short[k as RpcMethod] ?? k}=${v}`).join(' ') || 'none';
}

// Watches the in-memory SPIRE server's write path from inside the harness process: wraps the core's
// invoke() (through which every gRPC call passes) and records, for each entry created or deleted, the
// moment the call returned. Keeps a live count without listing, so polling for "N entries" is free.
import { performance } from 'node:perf_hooks';
import type { MemorySpireCore, RpcMethod } from '../../adapters/spire-memory/core.js';
import type * as W from '../../adapters/spire/wire-types.js';

export type EntryEvent = { readonly kind: 'created' | 'deleted'; readonly entry: W.WireEntry; readonly at: number };

export type EntryTracker = {
  /** Entries the server holds now. */
  readonly count: number;
  /** Entries created / deleted through the API since start. */
  readonly created: number;
  readonly deleted: number;
  onEvent(listener: (e: EntryEvent) => void): () => void;
  /** Resolves when `check()` is true, evaluated after every write and every `pollMs`; rejects after `timeoutMs`. */
  until(what: string, check: () => boolean, timeoutMs: number): Promise<number>;
};

export function trackEntries(core: MemorySpireCore): EntryTracker {
  const live = new Map<string, W.WireEntry>();
  for (const e of core.entries()) live.set(e.id, e);
  const listeners = new Set<(e: EntryEvent) => void>();
  let created = 0;
  let deleted = 0;
  const original = core.invoke.bind(core);
  const emit = (e: EntryEvent) => {
    for (const l of listeners) l(e);
  };
  core.invoke = async function invoke<T>(method: RpcMethod, run: () => T | Promise<T>): Promise<T> {
    const res = await original(method, run);
    const at = performance.now();
    if (method === 'BatchCreateEntry') {
      for (const r of (res as W.BatchEntryResponse).results) {
        if (r.status.code === 0 && r.entry) {
          live.set(r.entry.id, r.entry);
          created++;
          emit({ kind: 'created', entry: r.entry, at });
        }
      }
    } else if (method === 'BatchDeleteEntry') {
      for (const r of (res as W.BatchDeleteEntryResponse).results) {
        const entry = live.get(r.id);
        if (r.status.code === 0 && entry) {
          live.delete(r.id);
          deleted++;
          emit({ kind: 'deleted', entry, at });
        }
      }
    }
    return res;
  };
  return {
    get count() {
      return live.size;
    },
    get created() {
      return created;
    },
    get deleted() {
      return deleted;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    until(what, check, timeoutMs) {
      return new Promise((resolve, reject) => {
        const started = performance.now();
        const finish = (err?: Error) => {
          clearInterval(timer);
          listeners.delete(onWrite);
          if (err) reject(err);
          else resolve(performance.now());
        };
        const onWrite = () => {
          if (check()) finish();
        };
        const timer = setInterval(() => {
          if (check()) finish();
          else if (performance.now() - started > timeoutMs) finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, 50);
        listeners.add(onWrite);
        if (check()) finish();
      });
    },
  };
}

/**
 * `ns/name` of the pod a pod entry selects: k8s:ns with k8s:pod-name (reconcile and webhook modes), or
 * with k8s:pod-uid (crd mode), which for bench pods is `uid-<name>` (benchPod in cluster.ts).
 */
export function podOfEntry(e: W.WireEntry): string | undefined {
  let ns: string | undefined;
  let name: string | undefined;
  for (const s of e.selectors) {
    if (s.type !== 'k8s') continue;
    if (s.value.startsWith('ns:')) ns = s.value.slice(3);
    else if (s.value.startsWith('pod-name:')) name = s.value.slice(9);
    else if (s.value.startsWith('pod-uid:uid-')) name = s.value.slice(12);
  }
  return ns !== undefined && name !== undefined ? `${ns}/${name}` : undefined;
}

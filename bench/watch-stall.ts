// Stalled watch: with the cluster in sync, every open watch freezes (connection open, nothing more sent,
// not even bookmarks: the fake API server's stallWatches()), and the harness deletes `--deletes` pods.
// Their entries are orphans until the registrar notices the silence, re-watches from its last
// resourceVersion and deletes them. Times stall -> every orphan gone (hooked SPIRE write path), per mode,
// with the registrar's default bound (60 s of silence) on the system clock, so a run takes about a minute
// per mode. Before the idle-watch bound, orphans stayed until the watch's own timeout, 5 – 10 minutes.
//   npm run bench:watch-stall -- [--nodes=50] [--pods=1000] [--deletes=50] [--crd=1] [--timeout-s=180]
import { performance } from 'node:perf_hooks';
import { parseArgs } from './lib/args.js';
import { type BenchWorld, expectedReconcileEntries, namespaceOf, seedSpire, startBenchWorld } from './lib/cluster.js';
import { registrarNodeArgs, runIfMain } from './lib/main.js';
import { crdHcl, reconcileHcl, startRegistrar } from './lib/registrar-process.js';
import { report, type Row, type ScenarioResult } from './lib/report.js';
import { round } from './lib/stats.js';
import { spiffeIdsWithEntry, type RunOptions } from './cold-start.js';

export const watchStallDefaults = { nodes: 50, pods: 1000, deletes: 50, crd: 1, timeoutS: 180 };
export type WatchStallParams = typeof watchStallDefaults;

export async function watchStall(p: WatchStallParams, o: RunOptions = {}): Promise<ScenarioResult> {
  const rows: Row[] = [await measureWatchStall('reconcile', p, o)];
  if (p.crd) rows.push(await measureWatchStall('crd', p, o));
  const result: ScenarioResult = { scenario: 'watch-stall', params: p, rows };
  await report(result, o);
  return result;
}

/** One mode's run: stall, delete, time until the orphans are gone. */
export async function measureWatchStall(mode: 'reconcile' | 'crd', p: WatchStallParams, o: RunOptions): Promise<Row> {
  const world = await startBenchWorld({ nodes: p.nodes, pods: p.pods, crd: mode === 'crd' });
  try {
    const expected = mode === 'reconcile' ? expectedReconcileEntries(world) : [];
    if (mode === 'reconcile') await seedSpire(world, expected);
    const reg = await startRegistrar({
      dir: world.dir,
      hcl: mode === 'reconcile' ? reconcileHcl(world.spire.socketPath) : crdHcl(world.spire.socketPath),
      kubeconfig: (path) => world.kube.writeKubeconfig(path),
      watchMessages: ['Informer caches synced'],
      ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    });
    try {
      await reg.waitForLog('Informer caches synced', undefined, p.timeoutS * 1000);
      const inSync = mode === 'reconcile' ? expected.length : p.nodes + p.pods;
      await world.tracker.until('the entries in sync', () => world.tracker.count === inSync && crdSettled(world, mode, inSync), p.timeoutS * 1000);
      await allWatching(world, p.timeoutS * 1000);
      const watches = () => world.kube.requestCounts()['watch pods'] ?? 0;
      const lists = () => world.kube.requestCounts()['list pods'] ?? 0;
      const [watchesBefore, listsBefore] = [watches(), lists()];

      world.kube.stallWatches();
      const stalledAt = performance.now();
      for (let i = 0; i < p.deletes; i++) world.kube.store.deleteObject('v1', 'Pod', `pod-${i}`, namespaceOf(i));
      const goneAt = await world.tracker.until('every orphan entry gone', () => world.tracker.count === inSync - p.deletes, p.timeoutS * 1000);
      return {
        case: mode,
        pods: p.pods,
        'deleted in stall': p.deletes,
        'orphans gone s': round((goneAt - stalledAt) / 1000, 2),
        'entries after': world.tracker.count,
        're-watches (pods)': watches() - watchesBefore,
        're-lists (pods)': lists() - listsBefore,
      };
    } finally {
      await reg.stop();
    }
  } finally {
    await world.close();
  }
}

/** Waits until every collection the registrar listed has its watch open, so the stall meets them all. */
async function allWatching(world: BenchWorld, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const counts = world.kube.requestCounts();
    const listed = Object.keys(counts).filter((k) => k.startsWith('list ')).map((k) => k.slice('list '.length));
    if (listed.length > 0 && listed.every((r) => (counts[`watch ${r}`] ?? 0) > 0) && world.kube.watchCount === listed.length) return;
    if (performance.now() > deadline) throw new Error('the registrar never had every watch open');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Crd mode is in sync when every SpiffeID has its entry as well. */
function crdSettled(world: BenchWorld, mode: 'reconcile' | 'crd', n: number): boolean {
  if (mode === 'reconcile') return true;
  const s = spiffeIdsWithEntry(world);
  return s.total === n && s.withEntry === n;
}

runIfMain(import.meta.url, async (argv) => {
  await watchStall(parseArgs(argv, watchStallDefaults), registrarNodeArgs());
});

// Scenarios 1 and 5: cold start against an empty SPIRE server, in reconcile mode and in crd mode, and the
// floor (bench/floor.ts) for the same entries in the same run.
//   npm run bench:cold-start -- [--nodes=500] [--pods=10000] [--crd=1] [--timeout-s=240]
// The registrar is the user's binary (bin/ -> dist/); the floor runs compiled too.
import { performance } from 'node:perf_hooks';
import { SPIFFEID_API_VERSION, SPIFFEID_KIND } from '../handlers/spiffeid/spiffeid.js';
import { parseArgs } from './lib/args.js';
import { expectedReconcileEntries, heldKeys, sameKeys, startBenchWorld, type BenchWorld } from './lib/cluster.js';
import { registrarNodeArgs, runIfMain } from './lib/main.js';
import { runScript } from './lib/node-script.js';
import { compiledFloor } from './lib/compiled.js';
import { crdHcl, reconcileHcl, startRegistrar, } from './lib/registrar-process.js';
import { report, type Row, type ScenarioResult } from './lib/report.js';
import { callsText, clearSpire, entryCalls } from './lib/spire-state.js';
import { round } from './lib/stats.js';

export const coldStartDefaults = { nodes: 500, pods: 10_000, crd: 1, timeoutS: 240 };
export type ColdStartParams = typeof coldStartDefaults;
export type RunOptions = { readonly dir?: string; readonly quiet?: boolean; readonly nodeArgs?: readonly string[] };

const s = (ms: number) => round(ms / 1000, 2);

export async function coldStart(p: ColdStartParams, o: RunOptions = {}): Promise<ScenarioResult> {
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const reconcile = await reconcileCase(p, o);
  rows.push(...reconcile.rows);
  details.reconcile = reconcile.details;
  if (p.crd) {
    const crd = await crdCase(p, o);
    rows.push(crd.row);
    details.crd = crd.details;
  }
  const result: ScenarioResult = { scenario: 'cold-start', params: p, rows, details };
  await report(result, o);
  return result;
}

async function reconcileCase(p: ColdStartParams, o: RunOptions) {
  const world = await startBenchWorld({ nodes: p.nodes, pods: p.pods });
  try {
    const want = expectedReconcileEntries(world);
    const n = want.length;

    const floor = await runScript(await compiledFloor(), ['--api', world.kube.url, '--socket', world.spire.socketPath], p.timeoutS * 1000);
    if (floor.code !== 0) throw new Error(`floor failed (${floor.code}): ${floor.stderr}`);
    const floorOut = JSON.parse(floor.stdout) as { entries: number; failed: number; listMs: number; totalMs: number };
    if (floorOut.failed > 0 || !sameKeys(heldKeys(world), want)) throw new Error(`floor did not produce the ${n} desired entries`);
    const floorCalls = entryCalls(world);
    const floorRow: Row = {
      case: 'floor',
      entries: floorOut.entries,
      seconds: s(floor.ms),
      'caches synced s': s(floorOut.listMs),
      'vs floor': 1,
      'peak RSS MiB': floor.peakRssMiB,
      'SPIRE calls': callsText(floorCalls),
    };

    const rows: Row[] = [];
    const details: Record<string, unknown> = { entries: n, floorMs: round(floor.ms), floorCallsByMethod: floorCalls, allowedCreates: Math.ceil(n / 50) };
    await clearSpire(world);
    world.kube.resetCounts();
    const reg = await startRegistrar({
      dir: world.dir,
      hcl: reconcileHcl(world.spire.socketPath),
      kubeconfig: (path) => world.kube.writeKubeconfig(path),
      watchMessages: ['Informer caches synced'],
      ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    });
    try {
      const synced = reg.waitForLog('Informer caches synced');
      synced.catch(() => {});
      const doneAt = await world.tracker.until(`${n} entries`, () => world.tracker.count === n, p.timeoutS * 1000);
      const calls = entryCalls(world);
      if (!sameKeys(heldKeys(world), want)) throw new Error('SPIRE holds the right number of entries but not the desired ones');
      const syncedAt = (await synced).at;
      const ms = doneAt - reg.spawnedAt;
      rows.push({
        case: 'reconcile',
        entries: n,
        seconds: s(ms),
        'caches synced s': s(syncedAt - reg.spawnedAt),
        'vs floor': round(ms / floor.ms, 2),
        'peak RSS MiB': reg.peakRssMiB(),
        'CPU s': round(reg.cpuSeconds(), 1),
        'SPIRE calls': callsText(calls),
      });
      details.reconcile = { registrarMs: round(ms), ratioToFloor: round(ms / floor.ms, 3), callsByMethod: calls, apiRequests: world.kube.requestCounts() };
    } finally {
      await reg.stop();
    }
    return { rows: [...rows, floorRow], details };
  } finally {
    await world.close();
  }
}

/** SpiffeIDs that carry the ID of their SPIRE entry in status. */
export function spiffeIdsWithEntry(world: BenchWorld): { total: number; withEntry: number } {
  const all = world.kube.store.list(SPIFFEID_API_VERSION, SPIFFEID_KIND);
  const withEntry = all.filter((o) => typeof (o.status as { entryId?: unknown } | undefined)?.entryId === 'string' && (o.status as { entryId: string }).entryId !== '').length;
  return { total: all.length, withEntry };
}

export async function crdCase(p: ColdStartParams, o: RunOptions) {
  const world = await startBenchWorld({ nodes: p.nodes, pods: p.pods, crd: true });
  try {
    const n = p.nodes + p.pods;
    world.kube.resetCounts();
    const reg = await startRegistrar({
      dir: world.dir,
      hcl: crdHcl(world.spire.socketPath),
      kubeconfig: (path) => world.kube.writeKubeconfig(path),
      watchMessages: [],
      ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    });
    try {
      const entriesAt = await world.tracker.until(`${n} entries`, () => world.tracker.count === n, p.timeoutS * 1000);
      const deadline = reg.spawnedAt + p.timeoutS * 1000;
      let state = spiffeIdsWithEntry(world);
      while (state.withEntry < n) {
        if (performance.now() > deadline) throw new Error(`crd: only ${state.withEntry}/${n} SpiffeIDs have an entryId after ${p.timeoutS} s`);
        await new Promise((r) => setTimeout(r, 250));
        state = spiffeIdsWithEntry(world);
      }
      const statusAt = performance.now();
      const calls = entryCalls(world);
      const requests = world.kube.requestCounts();
      const row: Row = {
        case: 'crd',
        entries: world.tracker.count,
        seconds: s(entriesAt - reg.spawnedAt),
        'statuses s': s(statusAt - reg.spawnedAt),
        'peak RSS MiB': reg.peakRssMiB(),
        'CPU s': round(reg.cpuSeconds(), 1),
        'SPIRE calls': callsText(calls),
        'API writes': world.kube.writeCount(),
      };
      return { row, details: { entries: n, spiffeIds: state.total, callsByMethod: calls, apiRequests: requests, apiWrites: world.kube.writeCount() } };
    } finally {
      await reg.stop();
    }
  } finally {
    await world.close();
  }
}

runIfMain(import.meta.url, async (argv) => {
  await coldStart(parseArgs(argv, coldStartDefaults), registrarNodeArgs());
});

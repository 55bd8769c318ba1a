// Scenario 2: restart against a cluster whose SPIRE entries are already correct. Time from spawning the
// registrar until its first pass found nothing to do, and every write it made (there should be none).
// Reconcile mode: SPIRE is seeded with the desired entries. Crd mode: a first registrar process
// converges the cluster (SpiffeIDs, finalizers, statuses, entries), then a second one is measured.
//   npm run bench:restart -- [--nodes=500] [--pods=10000] [--crd=1] [--timeout-s=240]
import { parseArgs } from './lib/args.js';
import { expectedReconcileEntries, seedSpire, startBenchWorld } from './lib/cluster.js';
import { registrarNodeArgs, runIfMain } from './lib/main.js';
import { crdHcl, reconcileHcl, startRegistrar } from './lib/registrar-process.js';
import { report, type Row, type ScenarioResult } from './lib/report.js';
import { callsText, entryCalls, writeCalls } from './lib/spire-state.js';
import { round } from './lib/stats.js';
import { spiffeIdsWithEntry, type RunOptions } from './cold-start.js';

export const restartDefaults = { nodes: 500, pods: 10_000, crd: 1, timeoutS: 240 };
export type RestartParams = typeof restartDefaults;

export async function restart(p: RestartParams, o: RunOptions = {}): Promise<ScenarioResult> {
  const rows: Row[] = [await reconcileRestart(p, o)];
  if (p.crd) rows.push(await crdRestart(p, o));
  const result: ScenarioResult = { scenario: 'restart', params: p, rows };
  await report(result, o);
  return result;
}

async function reconcileRestart(p: RestartParams, o: RunOptions): Promise<Row> {
  const world = await startBenchWorld({ nodes: p.nodes, pods: p.pods });
  try {
    await seedSpire(world, expectedReconcileEntries(world));
    world.kube.resetCounts();
    const reg = await startRegistrar({
      dir: world.dir,
      hcl: reconcileHcl(world.spire.socketPath, 'debug'),
      kubeconfig: (path) => world.kube.writeKubeconfig(path),
      watchMessages: ['Informer caches synced', 'Reconciled entries'],
      ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    });
    try {
      const synced = await reg.waitForLog('Informer caches synced', undefined, p.timeoutS * 1000);
      const pass = await reg.waitForLog('Reconciled entries', (l) => l.full === true, p.timeoutS * 1000);
      const calls = entryCalls(world);
      return {
        case: 'reconcile',
        entries: world.tracker.count,
        'in sync s': round((pass.at - reg.spawnedAt) / 1000, 2),
        'caches synced s': round((synced.at - reg.spawnedAt) / 1000, 2),
        'SPIRE writes': writeCalls(calls),
        'API writes': world.kube.writeCount(),
        'SPIRE calls': callsText(calls),
        'peak RSS MiB': reg.peakRssMiB(),
        'CPU s': round(reg.cpuSeconds(), 1),
      };
    } finally {
      await reg.stop();
    }
  } finally {
    await world.close();
  }
}

async function crdRestart(p: RestartParams, o: RunOptions): Promise<Row> {
  const world = await startBenchWorld({ nodes: p.nodes, pods: p.pods, crd: true });
  try {
    const n = p.nodes + p.pods;
    const hcl = crdHcl(world.spire.socketPath, 'debug');
    const kubeconfig = (path: string) => world.kube.writeKubeconfig(path);
    const first = await startRegistrar({ dir: world.dir, hcl, kubeconfig, watchMessages: ['CRD pass done'], name: 'converge' });
    try {
      // Converged: every SpiffeID has its entry, and a pass then found nothing to write.
      await world.tracker.until(`${n} entries`, () => world.tracker.count === n, p.timeoutS * 1000);
      const deadline = Date.now() + p.timeoutS * 1000;
      while (spiffeIdsWithEntry(world).withEntry < n) {
        if (Date.now() > deadline) throw new Error('crd restart: the first registrar did not converge');
        await new Promise((r) => setTimeout(r, 250));
      }
      await first.waitForLog('CRD pass done', (l) => quiet(l), p.timeoutS * 1000);
    } finally {
      await first.stop();
    }

    world.spire.core.resetCalls();
    world.kube.resetCounts();
    const reg = await startRegistrar({ dir: world.dir, hcl, kubeconfig, watchMessages: ['CRD pass done'], ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}) });
    try {
      const pass = await reg.waitForLog('CRD pass done', undefined, p.timeoutS * 1000);
      const calls = entryCalls(world);
      return {
        case: 'crd',
        entries: world.tracker.count,
        'in sync s': round((pass.at - reg.spawnedAt) / 1000, 2),
        'first pass wrote': !quiet(pass.line),
        'SPIRE writes': writeCalls(calls),
        'API writes': world.kube.writeCount(),
        'SPIRE calls': callsText(calls),
        'peak RSS MiB': reg.peakRssMiB(),
        'CPU s': round(reg.cpuSeconds(), 1),
      };
    } finally {
      await reg.stop();
    }
  } finally {
    await world.close();
  }
}

/** A crd pass summary that wrote nothing and failed nothing. */
function quiet(l: Record<string, unknown>): boolean {
  return ['declared_created', 'declared_updated', 'declared_deleted', 'entries_created', 'entries_updated', 'entries_deleted', 'failed'].every((k) => l[k] === 0);
}

runIfMain(import.meta.url, async (argv) => {
  await restart(parseArgs(argv, restartDefaults), registrarNodeArgs());
});

// The scaling curve: cold start, restart and a full resync at 1k, 10k, 50k and 100k pods (nodes =
// pods/20), in reconcile, crd and webhook mode, through the user's binary; time, peak RSS (VmHWM), CPU and
// SPIRE calls per size, and reconcile mode's cold start against the floor (bench/floor.ts) in the same run.
//   npm run bench:scale -- [--min-pods=1000] [--max-pods=100000] [--reconcile=1] [--crd=1] [--webhook=1]
//     [--webhook-passes=3] [--webhook-resync-s=2] [--admissions-s=30] [--timeout-s=900]
// Webhook mode (`webhook_resync = true`; cold, upkeep and restart rows) and its admission load
// (`--admissions-s`, once, 0 skips it) are described in bench/scale-webhook.ts.
// Prints the usual table and, at the end, the same rows as Markdown for bench/README.md.
// - cold: spawn to "SPIRE holds every entry" (crd: also "every SpiffeID has its entry in status").
// - restart: a second process against the converged SPIRE and cluster: spawn to the end of its first
//   full pass (reconcile) / first pass (crd), with the SPIRE writes it made (0 when in sync).
// - resync: the restarted process's next full pass (resync_interval, default 10 s): its duration as the
//   registrar logs it, CPU spent between the two passes, SPIRE calls of the resync. Peak RSS of a resync
//   row is the restarted process's peak so far.
import { performance } from 'node:perf_hooks';
import { parseArgs } from './lib/args.js';
import { expectedReconcileEntries, heldKeys, sameKeys, startBenchWorld, type BenchWorld } from './lib/cluster.js';
import { compiledFloor } from './lib/compiled.js';
import { registrarNodeArgs, runIfMain } from './lib/main.js';
import { runScript } from './lib/node-script.js';
import { crdHcl, reconcileHcl, startRegistrar, type LogLine, type RegistrarProcess } from './lib/registrar-process.js';
import { markdownTable, report, type Row, type ScenarioResult } from './lib/report.js';
import { callsText, clearSpire, entryCalls, writeCalls } from './lib/spire-state.js';
import { webhookAdmissionLoad, webhookAt } from './scale-webhook.js';
import { round } from './lib/stats.js';
import { spiffeIdsWithEntry, type RunOptions } from './cold-start.js';

export const SCALE_SIZES = [1_000, 10_000, 50_000, 100_000] as const;
export const scaleDefaults = { minPods: 1_000, maxPods: 100_000, reconcile: 1, crd: 1, webhook: 1, webhookPasses: 3, webhookResyncS: 2, admissionsS: 30, timeoutS: 900 };
export type ScaleParams = typeof scaleDefaults;

const s = (ms: number) => round(ms / 1000, 2);

export async function scale(p: ScaleParams, o: RunOptions = {}): Promise<ScenarioResult> {
  const rows: Row[] = [];
  const sizes = SCALE_SIZES.filter((n) => n >= p.minPods && n <= p.maxPods);
  for (const pods of sizes) {
    if (p.reconcile) rows.push(...(await reconcileAt(pods, p, o)));
    if (p.crd) rows.push(...(await crdAt(pods, p, o)));
    if (p.webhook) rows.push(...(await webhookAt(pods, pods / 20, p, o)));
  }
  if (p.webhook && p.admissionsS > 0) rows.push(await webhookAdmissionLoad(p.admissionsS, o));
  const result: ScenarioResult = { scenario: 'scale', params: p, rows };
  await report(result, o);
  if (!o.quiet) process.stdout.write(`\n${markdownTable(rows)}\n`);
  return result;
}

type Mode = 'reconcile' | 'crd';
const passMessage: Record<Mode, string> = { reconcile: 'Reconciled entries', crd: 'CRD pass done' };
const listed = (mode: Mode) => (l: LogLine) => (mode === 'reconcile' ? l.full === true : l.listed === true);

function start(mode: Mode, world: BenchWorld, o: RunOptions, name: string): Promise<RegistrarProcess> {
  return startRegistrar({
    dir: world.dir,
    hcl: mode === 'reconcile' ? reconcileHcl(world.spire.socketPath, 'debug') : crdHcl(world.spire.socketPath, 'debug'),
    kubeconfig: (path) => world.kube.writeKubeconfig(path),
    watchMessages: [passMessage[mode]],
    name,
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
  });
}

function base(mode: Mode, pods: number, phase: string): Row {
  return { pods, nodes: pods / 20, mode, phase };
}

/** Restart and resync rows, against a converged world (the cold process already stopped). */
async function restartAndResync(mode: Mode, world: BenchWorld, pods: number, p: ScaleParams, o: RunOptions): Promise<Row[]> {
  world.spire.core.resetCalls();
  world.kube.resetCounts();
  const reg = await start(mode, world, o, `${mode}-restart`);
  try {
    const first = await reg.waitForLog(passMessage[mode], listed(mode), p.timeoutS * 1000);
    const calls = entryCalls(world);
    const restartRow: Row = {
      ...base(mode, pods, 'restart'),
      seconds: s(first.at - reg.spawnedAt),
      'peak RSS MiB': reg.peakRssMiB(),
      'CPU s': round(reg.cpuSeconds(), 1),
      'SPIRE writes': writeCalls(calls),
      'SPIRE calls': callsText(calls),
    };
    world.spire.core.resetCalls();
    const cpuBefore = reg.cpuSeconds();
    const next = await reg.waitForLog(passMessage[mode], (l) => listed(mode)(l) && l !== first.line, p.timeoutS * 1000);
    const resyncCalls = entryCalls(world);
    const resyncRow: Row = {
      ...base(mode, pods, 'resync'),
      seconds: s(Number(next.line.durationMs)),
      'peak RSS MiB': reg.peakRssMiB(),
      'CPU s': round(reg.cpuSeconds() - cpuBefore, 1),
      'SPIRE writes': writeCalls(resyncCalls),
      'SPIRE calls': callsText(resyncCalls),
    };
    return [restartRow, resyncRow];
  } finally {
    await reg.stop();
  }
}

async function reconcileAt(pods: number, p: ScaleParams, o: RunOptions): Promise<Row[]> {
  const world = await startBenchWorld({ nodes: pods / 20, pods });
  try {
    const want = expectedReconcileEntries(world);
    const n = want.length;
    const floor = await runScript(await compiledFloor(), ['--api', world.kube.url, '--socket', world.spire.socketPath], p.timeoutS * 1000);
    if (floor.code !== 0) throw new Error(`floor failed (${floor.code}): ${floor.stderr}`);
    const floorRow: Row = { ...base('reconcile', pods, 'floor'), seconds: s(floor.ms), 'vs floor': 1, 'peak RSS MiB': floor.peakRssMiB, 'SPIRE calls': callsText(entryCalls(world)) };
    await clearSpire(world);

    const reg = await start('reconcile', world, o, 'reconcile-cold');
    let coldRow: Row;
    try {
      const doneAt = await world.tracker.until(`${n} entries`, () => world.tracker.count === n, p.timeoutS * 1000);
      if (!sameKeys(heldKeys(world), want)) throw new Error('SPIRE holds the right number of entries but not the desired ones');
      const ms = doneAt - reg.spawnedAt;
      coldRow = {
        ...base('reconcile', pods, 'cold'),
        seconds: s(ms),
        'vs floor': round(ms / floor.ms, 2),
        'peak RSS MiB': reg.peakRssMiB(),
        'CPU s': round(reg.cpuSeconds(), 1),
        'SPIRE writes': writeCalls(entryCalls(world)),
        'SPIRE calls': callsText(entryCalls(world)),
      };
    } finally {
      await reg.stop();
    }
    return [coldRow, floorRow, ...(await restartAndResync('reconcile', world, pods, p, o))];
  } finally {
    await world.close();
  }
}

async function crdAt(pods: number, p: ScaleParams, o: RunOptions): Promise<Row[]> {
  const world = await startBenchWorld({ nodes: pods / 20, pods, crd: true });
  try {
    const n = pods / 20 + pods;
    const reg = await start('crd', world, o, 'crd-cold');
    let coldRow: Row;
    try {
      const entriesAt = await world.tracker.until(`${n} entries`, () => world.tracker.count === n, p.timeoutS * 1000);
      const deadline = reg.spawnedAt + p.timeoutS * 1000;
      while (spiffeIdsWithEntry(world).withEntry < n) {
        if (performance.now() > deadline) throw new Error(`crd: not every SpiffeID has its entry after ${p.timeoutS} s`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const statusAt = performance.now();
      // Converged: a pass then writes nothing (so the restart below starts from a settled cluster).
      await reg.waitForLog('CRD pass done', (l) => l.entries_created === 0 && l.declared_created === 0 && l.failed === 0, p.timeoutS * 1000);
      coldRow = {
        ...base('crd', pods, 'cold'),
        seconds: s(entriesAt - reg.spawnedAt),
        'statuses s': s(statusAt - reg.spawnedAt),
        'peak RSS MiB': reg.peakRssMiB(),
        'CPU s': round(reg.cpuSeconds(), 1),
        'SPIRE writes': writeCalls(entryCalls(world)),
        'SPIRE calls': callsText(entryCalls(world)),
        'API writes': world.kube.writeCount(),
      };
    } finally {
      await reg.stop();
    }
    return [coldRow, ...(await restartAndResync('crd', world, pods, p, o))];
  } finally {
    await world.close();
  }
}

runIfMain(import.meta.url, async (argv) => {
  await scale(parseArgs(argv, scaleDefaults), registrarNodeArgs());
});

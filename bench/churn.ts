// Scenario 3: steady pod churn, in reconcile mode and in crd mode. With the cluster in sync, the harness
// creates and deletes pods at a fixed rate (straight into the fake API server's store, which delivers the
// watch events at once) and times each pod's entry arriving in / leaving the in-memory SPIRE server
// (hooked write path). In crd mode a pod's entry goes through its SpiffeID (created by the registrar,
// deleted by the fake API server's garbage collector with the pod). Reports p50/p99/max per direction,
// SPIRE calls by RPC, the backlog when the load stops, and how long it takes to drain.
// Crd mode runs at the registrar's default log level, info, as users run it (deploy manifests set none);
// at info a pass summary is logged only for a pass that wrote something, which under churn is nearly every
// pass ("passes" then counts those). `--log-level=debug` logs every pass (and every Event the recorder
// drops). Reconcile mode runs at debug (its in-sync signal is a pass that wrote nothing).
//   npm run bench:churn -- [--nodes=500] [--pods=10000] [--rate=200] [--duration-s=60] [--reconcile=1] [--crd=1] [--log-level=info|debug]
import { performance } from 'node:perf_hooks';
import { parseArgs } from './lib/args.js';
import { benchPod, expectedReconcileEntries, heldKeys, sameKeys, seedSpire, startBenchWorld } from './lib/cluster.js';
import { podOfEntry } from './lib/entry-tracker.js';
import { registrarNodeArgs, runIfMain } from './lib/main.js';
import { crdHcl, reconcileHcl, startRegistrar, type LogLine, type RegistrarProcess } from './lib/registrar-process.js';
import { report, type ScenarioResult } from './lib/report.js';
import { callsText, entryCalls } from './lib/spire-state.js';
import { round, summarize } from './lib/stats.js';
import { spiffeIdsWithEntry, type RunOptions } from './cold-start.js';

export const churnDefaults = { nodes: 500, pods: 10_000, rate: 200, durationS: 60, timeoutS: 120, reconcile: 1, crd: 1 };
export type ChurnParams = typeof churnDefaults;
export type LogLevel = 'info' | 'debug';
type Mode = 'reconcile' | 'crd';

/** Reconcile mode (bench/results/churn.json) unless --reconcile=0, then crd mode (churn-crd.json) unless --crd=0. */
export async function churn(p: ChurnParams, o: RunOptions = {}, logLevel: LogLevel = 'info'): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  if (p.reconcile) out.push(await churnIn('reconcile', p, o, logLevel));
  if (p.crd) out.push(await churnIn('crd', p, o, logLevel));
  return out;
}

/** The pass summary each mode logs (at info when it wrote something, else at debug), and which of them listed SPIRE. */
const passMessage: Record<Mode, string> = { reconcile: 'Reconciled entries', crd: 'CRD pass done' };
const listedSpire = (mode: Mode, l: LogLine) => (mode === 'reconcile' ? l.full === true : l.listed === true);

/** Starts the registrar on a cluster in sync: SPIRE seeded (reconcile), or converged from cold (crd). */
async function inSyncRegistrar(mode: Mode, world: Awaited<ReturnType<typeof startBenchWorld>>, p: ChurnParams, o: RunOptions, logLevel: LogLevel): Promise<RegistrarProcess> {
  if (mode === 'reconcile') await seedSpire(world, expectedReconcileEntries(world));
  const reg = await startRegistrar({
    dir: world.dir,
    // Reconcile stays at debug: its in-sync signal is the first full pass, which writes nothing (debug).
    hcl: mode === 'reconcile' ? reconcileHcl(world.spire.socketPath, 'debug') : crdHcl(world.spire.socketPath, logLevel),
    kubeconfig: (path) => world.kube.writeKubeconfig(path),
    watchMessages: [passMessage[mode]],
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
  });
  if (mode === 'reconcile') {
    await reg.waitForLog(passMessage.reconcile, (l) => l.full === true, p.timeoutS * 1000);
    return reg;
  }
  // crd: every SpiffeID has its entry in status, then a pass finds nothing to write.
  const n = p.nodes + p.pods;
  const deadline = performance.now() + p.timeoutS * 4 * 1000;
  while (world.tracker.count !== n || spiffeIdsWithEntry(world).withEntry !== n) {
    if (performance.now() > deadline) throw new Error(`crd churn: not converged within ${p.timeoutS * 4} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  // At debug, also a pass that found nothing to write (at info such a pass logs nothing: SPIRE and the
  // statuses above are the evidence).
  if (logLevel === 'debug') await reg.waitForLog(passMessage.crd, (l) => l.entries_created === 0 && l.declared_created === 0 && l.failed === 0, p.timeoutS * 1000);
  // The statuses being stored does not mean the registrar has digested their echoes (10,500 watch events
  // and the full pass they lead to): the load starts from the steady state, once the registrar is idle.
  await idle(reg, deadline);
  return reg;
}

/** Waits until the registrar used under 10 % of a core in each of two consecutive half-seconds. */
async function idle(reg: RegistrarProcess, deadline: number): Promise<void> {
  let quiet = 0;
  let before = reg.cpuSeconds();
  while (quiet < 2) {
    if (performance.now() > deadline) throw new Error('crd churn: the registrar did not go idle after converging');
    await new Promise((r) => setTimeout(r, 500));
    const now = reg.cpuSeconds();
    quiet = now - before < 0.05 ? quiet + 1 : 0;
    before = now;
  }
}

async function churnIn(mode: Mode, p: ChurnParams, o: RunOptions, logLevel: LogLevel): Promise<ScenarioResult> {
  const world = await startBenchWorld({ nodes: p.nodes, pods: p.pods, historyLimit: 100_000, crd: mode === 'crd' });
  try {
    const reg = await inSyncRegistrar(mode, world, p, o, logLevel);
    try {
      world.spire.core.resetCalls();
      world.kube.resetCounts();
      const cpuBefore = reg.cpuSeconds();
      const started = performance.now();

      // Passes that list SPIRE (full resyncs) block event passes while they run: keep them next to the
      // latencies, and count every pass (crd mode must not list on each).
      const fullPasses: { atS: number; durationMs: number }[] = [];
      const passMs: number[] = [];
      let passes = 0;
      const offPasses = reg.onLog(passMessage[mode], (l, at) => {
        passes++;
        passMs.push(Number(l.durationMs));
        if (listedSpire(mode, l)) fullPasses.push({ atS: round((at - started) / 1000, 1), durationMs: Number(l.durationMs) });
      });
      const pendingCreate = new Map<string, number>();
      const pendingDelete = new Map<string, number>();
      const createMs: number[] = [];
      const deleteMs: number[] = [];
      /** Per second of load: latencies of the events issued in that second. */
      const bySecond: number[][] = [];
      const off = world.tracker.onEvent((e) => {
        const pod = podOfEntry(e.entry);
        if (pod === undefined) return;
        const pending = e.kind === 'created' ? pendingCreate : pendingDelete;
        const t0 = pending.get(pod);
        if (t0 === undefined) return;
        pending.delete(pod);
        (e.kind === 'created' ? createMs : deleteMs).push(e.at - t0);
        (bySecond[Math.floor((t0 - started) / 1000)] ??= []).push(e.at - t0);
      });

      // Oldest first: the seeded pods go first, then the churned ones in creation order.
      const alive: { name: string; namespace: string }[] = world.kube.store.list('v1', 'Pod').map((x) => ({ name: x.metadata.name as string, namespace: x.metadata.namespace as string }));
      let head = 0;
      let made = 0;
      let removed = 0;
      const total = Math.round(p.rate * p.durationS);
      await new Promise<void>((resolve) => {
        const tick = setInterval(() => {
          const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * p.rate));
          while (made < due) {
            const pod = benchPod(p.pods + made, p.nodes, 'churn');
            world.kube.store.putObject(pod);
            const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
            pendingCreate.set(key, performance.now());
            alive.push({ name: pod.metadata.name as string, namespace: pod.metadata.namespace as string });
            made++;
          }
          while (removed < due && head < alive.length) {
            const victim = alive[head++] as { name: string; namespace: string };
            pendingDelete.set(`${victim.namespace}/${victim.name}`, performance.now());
            world.kube.store.deleteObject('v1', 'Pod', victim.name, victim.namespace);
            removed++;
          }
          if (made >= total && removed >= total) {
            clearInterval(tick);
            resolve();
          }
        }, 5);
      });
      const stoppedAt = performance.now();
      const backlogAtStop = pendingCreate.size + pendingDelete.size;
      const loadSeconds = (stoppedAt - started) / 1000;
      let drainMs = 0;
      try {
        await world.tracker.until('the backlog to drain', () => pendingCreate.size + pendingDelete.size === 0, 10_000);
        drainMs = performance.now() - stoppedAt;
      } catch {
        drainMs = Number.NaN;
      }
      const leftover = pendingCreate.size + pendingDelete.size;
      off();
      offPasses();
      const calls = entryCalls(world);
      const apiWrites = world.kube.writeCount();
      const apiRequests = world.kube.requestCounts();
      const passDurations = summarize(passMs);
      const inSync = mode === 'reconcile' ? sameKeys(heldKeys(world), expectedReconcileEntries(world)) : world.tracker.count === p.nodes + p.pods;
      const c = summarize(createMs);
      const d = summarize(deleteMs);
      const all = summarize([...createMs, ...deleteMs]);
      const result: ScenarioResult = {
        scenario: mode === 'reconcile' ? 'churn' : 'churn-crd',
        params: { ...p, reconcile: mode === 'reconcile' ? 1 : 0, crd: mode === 'crd' ? 1 : 0 },
        rows: [
          { direction: 'create', events: made, measured: c.count, 'p50 ms': c.p50, 'p99 ms': c.p99, 'max ms': c.max },
          { direction: 'delete', events: removed, measured: d.count, 'p50 ms': d.p50, 'p99 ms': d.p99, 'max ms': d.max },
          {
            direction: 'both',
            events: made + removed,
            measured: all.count,
            'p50 ms': all.p50,
            'p99 ms': all.p99,
            'max ms': all.max,
            'backlog at stop': backlogAtStop,
            passes,
            'SPIRE calls': callsText(calls),
            'API writes': apiWrites,
            'peak RSS MiB': reg.peakRssMiB(),
          },
        ],
        details: {
          logLevel: mode === 'reconcile' ? 'debug' : logLevel,
          achievedRatePerSecond: round(made / loadSeconds, 1),
          backlogAtStop,
          drainMs: round(drainMs),
          leftoverAfter10s: leftover,
          inSyncAtEnd: inSync,
          callsByMethod: calls,
          calls: callsText(calls),
          registrarPeakRssMiB: reg.peakRssMiB(),
          registrarCpuSecondsDuringLoad: round(reg.cpuSeconds() - cpuBefore, 1),
          create: c,
          delete: d,
          fullPasses,
          passes,
          passDurationMs: passDurations,
          apiWrites,
          apiRequests,
          perSecond: bySecond.map((xs, second) => ({ second, ...summarize(xs ?? []) })),
        },
      };
      await report(result, o);
      if (!o.quiet) {
        process.stdout.write(
          `backlog at stop ${backlogAtStop}, drained in ${round(drainMs)} ms, left ${leftover}; in sync ${inSync}; ` +
            `SPIRE ${callsText(calls)}; registrar peak RSS ${reg.peakRssMiB()} MiB, CPU ${round(reg.cpuSeconds() - cpuBefore, 1)} s over ${round(loadSeconds, 1)} s\n` +
            `API writes ${apiWrites} (${Object.entries(apiRequests).filter(([k]) => !k.startsWith('watch') && !k.startsWith('list') && !k.startsWith('get')).map(([k, n]) => `${k}=${n}`).join(', ')})\n` +
            `log level ${mode === 'reconcile' ? 'debug' : logLevel}; ${passes} passes${mode === 'crd' && logLevel === 'info' ? ' that wrote' : ''}, duration p50 ${passDurations.p50} / p99 ${passDurations.p99} / max ${passDurations.max} ms; full resyncs${mode === 'crd' && logLevel === 'info' ? ' that wrote' : ''} (s into the load: ms): ${fullPasses.map((f) => `${f.atS}: ${f.durationMs}`).join(', ') || 'none'}\n`,
        );
      }
      return result;
    } finally {
      await reg.stop();
    }
  } finally {
    await world.close();
  }
}

runIfMain(import.meta.url, async (argv) => {
  const { logLevel, rest } = logLevelFlag(argv);
  await churn(parseArgs(rest, churnDefaults), registrarNodeArgs(), logLevel);
});

/** `--log-level=info|debug` (the other flags are numbers, parsed by parseArgs). */
export function logLevelFlag(argv: readonly string[]): { logLevel: LogLevel; rest: string[] } {
  let logLevel: LogLevel = 'info';
  const rest: string[] = [];
  for (const a of argv) {
    const m = /^--log-level=(.*)$/.exec(a);
    if (!m) rest.push(a);
    else if (m[1] === 'info' || m[1] === 'debug') logLevel = m[1];
    else throw new Error(`--log-level needs info or debug, got "${m[1]}"`);
  }
  return { logLevel, rest };
}

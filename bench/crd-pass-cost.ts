// The CPU cost of one crd pass in this process (in-memory SPIRE core, fake SpiffeID writer, no sockets):
//  - a pass that finds nothing to write, with the pass's per-object memo warm (runtime/crd/crd-plan-cache.ts):
//    what every pass pays before its first write, whatever event caused it;
//  - the same pass with an empty memo (the first pass after start; every pass before the memo existed);
//  - a pass after N pods changed (N/2 created, N/2 deleted, their SpiffeIDs deleted as Kubernetes' garbage
//    collector would): SpiffeID creates, entry creates and deletes, statuses and finalizer releases included;
//  - the same two with sliced passes (runtime/crd/crd-slice.ts: the informers' changes marked, a pass plans
//    only their closed slice; the first pass of that instance is full and not measured);
//  - the four pure planners on their own, without the memo (how a change to one planner shows).
// CPU time, not wall time, so a loaded machine inflates it less (median of runs).
//   node --import tsx bench/crd-pass-cost.ts [--nodes=500] [--pods=10000] [--changed=200] [--runs=7]
import pino from 'pino';
import * as v from 'valibot';
import { MemorySpireCore } from '../adapters/spire-memory/core.js';
import { memoryEntryStore } from '../adapters/spire-memory/entry-store.memory.js';
import { declaredSpiffeIds } from '../handlers/crd-pod/declared-spiffeids.js';
import { planDeclaredSpiffeIds } from '../handlers/spiffeid/plan-declared.js';
import { withDeclaredSpecs } from '../handlers/spiffeid/registrar-declared.js';
import { SpiffeIdSchema, type SpiffeId } from '../handlers/spiffeid/spiffeid.js';
import { planSpiffeIdEntries } from '../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import { checkCrdTemplates } from '../handlers/templates/crd-templates.js';
import { systemClock } from '../runtime/clock.js';
import { CrdEntries } from '../runtime/crd/crd-entries.js';
import { createCrdPass } from '../runtime/crd/crd-pass.js';
import { createCrdChanges } from '../runtime/crd/crd-slice.js';
import { fakeSpiffeIdWriter } from '../runtime/crd/spiffeid-writer.fake.js';
import { aNode, aPod } from '../test/fixtures/k8s-objects.js';
import { crdTestConfig } from '../test/fixtures/spiffeid.js';
import { parseArgs } from './lib/args.js';
import { runIfMain } from './lib/main.js';
import { round } from './lib/stats.js';

const config = crdTestConfig;

/** CPU milliseconds (user + system) of this process since `from`: waiting for a core under load does not count. */
const cpuMs = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN, 1);

export type PassCost = {
  spiffeIds: number;
  entries: number;
  writes: number;
  changedWrites: number;
  slicedWrites: number;
  medianCpuMs: Record<'pass' | 'coldPass' | 'changedPass' | 'slicedPass' | 'slicedChangedPass' | 'declared' | 'planDeclared' | 'withDeclared' | 'planEntries', number>;
};

export async function crdPassCost(o: { nodes: number; pods: number; changed?: number; runs: number }): Promise<PassCost> {
  const p = { changed: 200, ...o };
  const core = await MemorySpireCore.create({});
  const store = memoryEntryStore(core);
  const aBenchPod = (i: number, name = `pod-${i}`) =>
    aPod({ name, namespace: `bench-${i % 20}`, uid: `uid-${name}`, nodeName: `node-${i % p.nodes}`, annotations: { 'spiffe.io/spiffe-id': `ns/bench-${i % 20}/app-${i % 200}` } });
  const state = {
    nodes: Array.from({ length: p.nodes }, (_, i) => aNode({ name: `node-${i}` })),
    pods: Array.from({ length: p.pods }, (_, i) => aBenchPod(i)),
    endpointSlices: [],
  };
  const templates = checkCrdTemplates({ ...config, dnsNameTemplates: [] });
  if (!templates.ok) throw new Error(templates.error);
  const writer = fakeSpiffeIdWriter();
  // The SpiffeID informer's cache: an object the writer did not change stays the same object.
  let held = new Map<string, SpiffeId>();
  let spiffeIds: SpiffeId[] = [];
  // What the informers' events would mark, for the sliced pass.
  const podByKey = new Map(state.pods.map((pod) => [`${pod.metadata.namespace}/${pod.metadata.name}`, pod]));
  const nodeByName = new Map(state.nodes.map((n) => [n.metadata.name, n]));
  const changes = createCrdChanges((r, k) => (r === 'pods' ? podByKey.get(k) : r === 'nodes' ? nodeByName.get(k) : r === 'spiffeids' ? held.get(k) : undefined), 1_000_000);
  const refresh = () => {
    const next = new Map<string, SpiffeId>();
    for (const raw of writer.objects()) {
      const meta = (raw as { metadata: { namespace: string; name: string; resourceVersion: string } }).metadata;
      const key = `${meta.namespace}/${meta.name}`;
      const old = held.get(key);
      next.set(key, old && old.metadata.resourceVersion === meta.resourceVersion ? old : v.parse(SpiffeIdSchema, raw));
      if (next.get(key) !== old) changes.mark('spiffeids', key);
    }
    for (const key of held.keys()) if (!next.has(key)) changes.mark('spiffeids', key);
    held = next;
    spiffeIds = [...next.values()];
  };
  const entries = new CrdEntries({ store, clock: systemClock, resyncIntervalMs: Number.MAX_SAFE_INTEGER });
  const newPass = (sliced = false) =>
    createCrdPass({
      store,
      writer,
      entries,
      snapshot: () => ({ ...state, spiffeIds }),
      config,
      templates: templates.templates,
      log: pino({ level: 'silent' }),
      clock: systemClock,
      ...(sliced ? { changes } : {}),
    });
  const pass = newPass();
  for (let i = 0; i < 3; i++) {
    refresh();
    await pass(new AbortController().signal);
  }
  refresh();
  writer.resetCalls();
  const t = { pass: [] as number[], coldPass: [] as number[], changedPass: [] as number[], slicedPass: [] as number[], slicedChangedPass: [] as number[], declared: [] as number[], planDeclared: [] as number[], withDeclared: [] as number[], planEntries: [] as number[] };
  const { entries: current } = await entries.current();
  for (let i = 0; i < p.runs; i++) {
    let t0 = process.cpuUsage();
    await pass(new AbortController().signal);
    t.pass.push(cpuMs(t0));
    const cold = newPass();
    t0 = process.cpuUsage();
    await cold(new AbortController().signal);
    t.coldPass.push(cpuMs(t0));
    t0 = process.cpuUsage();
    const d = declaredSpiffeIds(state, config, templates.templates);
    t.declared.push(cpuMs(t0));
    t0 = process.cpuUsage();
    planDeclaredSpiffeIds(d.declared, spiffeIds, d.liveOwnerUids);
    t.planDeclared.push(cpuMs(t0));
    t0 = process.cpuUsage();
    const eff = withDeclaredSpecs(spiffeIds, d.declared);
    t.withDeclared.push(cpuMs(t0));
    t0 = process.cpuUsage();
    planSpiffeIdEntries(eff.spiffeIds, current, config, new Date().toISOString(), eff.registrarDeclared);
    t.planEntries.push(cpuMs(t0));
  }
  const writes = Object.values(writer.calls()).reduce((a, b) => a + b, 0);
  const size = { spiffeIds: spiffeIds.length, entries: core.entries().length };

  // Churn: the first N/2 pods are deleted (Kubernetes deletes their SpiffeIDs: with our finalizer they
  // stay, dying, until the pass deletes the entry) and N/2 new pods appear.
  let changedWrites = 0;
  let slicedWrites = 0;
  let round = 0;
  const churn = async (run: (signal: AbortSignal) => Promise<void>, times: number[]) => {
    const i = round++;
    const half = Math.min(Math.floor(p.changed / 2), Math.floor(p.pods / 2));
    const gone = state.pods.slice(0, half);
    const fresh = Array.from({ length: half }, (_, j) => aBenchPod(j, `churn-${i}-${j}`));
    state.pods = [...state.pods.slice(half), ...fresh];
    for (const pod of [...gone, ...fresh]) {
      const k = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (gone.includes(pod)) podByKey.delete(k);
      else podByKey.set(k, pod);
      changes.mark('pods', k);
    }
    for (const pod of gone) {
      const r = { namespace: pod.metadata.namespace, name: pod.metadata.name };
      const s = held.get(`${r.namespace}/${r.name}`);
      if (s) await writer.delete(r, s.metadata.uid);
    }
    refresh();
    writer.resetCalls();
    const t0 = process.cpuUsage();
    await run(new AbortController().signal);
    times.push(cpuMs(t0));
    const wrote = Object.values(writer.calls()).reduce((a, b) => a + b, 0);
    refresh();
    // The next pass writes the statuses the watch has not shown yet; not measured.
    await run(new AbortController().signal);
    refresh();
    return wrote;
  };
  for (let i = 0; i < p.runs; i++) changedWrites = await churn(pass, t.changedPass);
  // Sliced: the first pass is full (it builds the lookups), then a few to absorb its writes' events.
  const sliced = newPass(true);
  for (let i = 0; i < 3; i++) {
    await sliced(new AbortController().signal);
    refresh();
  }
  for (let i = 0; i < p.runs; i++) {
    // The last churn's status writes came back as events (refresh): absorb them, untimed, so the timed pass
    // has nothing marked and is the no-op it is reported as.
    await sliced(new AbortController().signal);
    refresh();
    writer.resetCalls();
    const t0 = process.cpuUsage();
    await sliced(new AbortController().signal);
    t.slicedPass.push(cpuMs(t0));
    const wrote = Object.values(writer.calls()).reduce((a, b) => a + b, 0);
    if (wrote > 0) throw new Error(`the sliced no-op pass wrote ${wrote} times`);
    slicedWrites = await churn(sliced, t.slicedChangedPass);
  }
  const m = {
    pass: median(t.pass),
    coldPass: median(t.coldPass),
    changedPass: median(t.changedPass),
    slicedPass: median(t.slicedPass),
    slicedChangedPass: median(t.slicedChangedPass),
    declared: median(t.declared),
    planDeclared: median(t.planDeclared),
    withDeclared: median(t.withDeclared),
    planEntries: median(t.planEntries),
  };
  return { ...size, writes, changedWrites, slicedWrites, medianCpuMs: m };
}

runIfMain(import.meta.url, async (argv) => {
  const p = parseArgs(argv, { nodes: 500, pods: 10_000, changed: 200, runs: 7 });
  const r = await crdPassCost(p);
  const m = r.medianCpuMs;
  process.stdout.write(
    `${r.spiffeIds} SpiffeIDs, ${r.entries} entries; writes in the no-op passes: ${r.writes}\n` +
      `median CPU ms of ${p.runs}: no-op pass ${m.pass} (memo warm); no-op pass with an empty memo ${m.coldPass}; ` +
      `a pass after ${p.changed} changed pods ${m.changedPass} (${r.changedWrites} SpiffeID writes)\n` +
      `sliced passes: no-op ${m.slicedPass}; after ${p.changed} changed pods ${m.slicedChangedPass} (${r.slicedWrites} SpiffeID writes)\n` +
      `the planners without the memo: declaredSpiffeIds ${m.declared} + planDeclaredSpiffeIds ${m.planDeclared} + ` +
      `withDeclaredSpecs ${m.withDeclared} + planSpiffeIdEntries ${m.planEntries}\n`,
  );
});

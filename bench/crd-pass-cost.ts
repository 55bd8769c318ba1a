// The CPU cost of one crd pass that finds nothing to write, in this process (in-memory SPIRE core, fake
// SpiffeID writer, no sockets): what every pass pays before its first write, whatever event caused it,
// because a crd pass plans every SpiffeID of the cluster. Split into the pure steps, so a change to one
// planner shows on its own. CPU time, not wall time, so a loaded machine inflates it less (median of runs).
//   node --import tsx bench/crd-pass-cost.ts [--nodes=500] [--pods=10000] [--runs=7]
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

export type PassCost = { spiffeIds: number; entries: number; writes: number; medianCpuMs: Record<'pass' | 'declared' | 'planDeclared' | 'withDeclared' | 'planEntries', number> };

export async function crdPassCost(p: { nodes: number; pods: number; runs: number }): Promise<PassCost> {
  const core = await MemorySpireCore.create({});
  const store = memoryEntryStore(core);
  const state = {
    nodes: Array.from({ length: p.nodes }, (_, i) => aNode({ name: `node-${i}` })),
    pods: Array.from({ length: p.pods }, (_, i) =>
      aPod({ name: `pod-${i}`, namespace: `bench-${i % 20}`, uid: `uid-${i}`, nodeName: `node-${i % p.nodes}`, annotations: { 'spiffe.io/spiffe-id': `ns/bench-${i % 20}/app-${i % 200}` } }),
    ),
    endpointSlices: [],
  };
  const templates = checkCrdTemplates({ ...config, dnsNameTemplates: [] });
  if (!templates.ok) throw new Error(templates.error);
  const writer = fakeSpiffeIdWriter();
  let spiffeIds: SpiffeId[] = [];
  const entries = new CrdEntries({ store, clock: systemClock, resyncIntervalMs: Number.MAX_SAFE_INTEGER });
  const pass = createCrdPass({ store, writer, entries, snapshot: () => ({ ...state, spiffeIds }), config, templates: templates.templates, log: pino({ level: 'silent' }), clock: systemClock });
  const refresh = () => (spiffeIds = writer.objects().map((o) => v.parse(SpiffeIdSchema, o)));
  for (let i = 0; i < 3; i++) {
    refresh();
    await pass(new AbortController().signal);
  }
  refresh();
  writer.resetCalls();
  const t = { pass: [] as number[], declared: [] as number[], planDeclared: [] as number[], withDeclared: [] as number[], planEntries: [] as number[] };
  const { entries: current } = await entries.current();
  for (let i = 0; i < p.runs; i++) {
    let t0 = process.cpuUsage();
    await pass(new AbortController().signal);
    t.pass.push(cpuMs(t0));
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
  const m = { pass: median(t.pass), declared: median(t.declared), planDeclared: median(t.planDeclared), withDeclared: median(t.withDeclared), planEntries: median(t.planEntries) };
  return { spiffeIds: spiffeIds.length, entries: core.entries().length, writes, medianCpuMs: m };
}

runIfMain(import.meta.url, async (argv) => {
  const p = parseArgs(argv, { nodes: 500, pods: 10_000, runs: 7 });
  const r = await crdPassCost(p);
  const m = r.medianCpuMs;
  process.stdout.write(
    `${r.spiffeIds} SpiffeIDs, ${r.entries} entries; writes in the measured passes: ${r.writes}\n` +
      `median CPU ms of ${p.runs}: no-op pass ${m.pass} = declaredSpiffeIds ${m.declared} + planDeclaredSpiffeIds ${m.planDeclared} + ` +
      `withDeclaredSpecs ${m.withDeclared} + planSpiffeIdEntries ${m.planEntries} + the rest\n`,
  );
});

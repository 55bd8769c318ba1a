// The crd pass's per-object memo (crd-plan-cache.ts) must not change a single plan. Generated clusters
// evolve over many passes (pods, nodes and EndpointSlices come, go, change and come back under new UIDs;
// users write SpiffeIDs that are invalid, break the namespace policy, duplicate another's entry, take a
// pod's name, name legacy or foreign entries in their status; SpiffeIDs die with and without finalizers;
// SPIRE gains foreign, legacy, orphaned and other clusters' entries), and after each change the four plans
// (and withCreated) are computed twice: through one long-lived cache, and by the same planners deriving
// every per-object fact afresh (their default). They must be equal, in the same order. (When the cache
// landed, the second computation was a copy of the planners as they were before it, so the restructuring
// that came with it was checked against the old code too.) Between passes part of each plan is applied, so SpiffeIDs also reach and leave the steady state
// the cache serves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declaredSpiffeIds, type ClusterView } from '../../handlers/crd-pod/declared-spiffeids.js';
import type { Entry } from '../../handlers/entries/entry.js';
import { planDeclaredSpiffeIds } from '../../handlers/spiffeid/plan-declared.js';
import { withDeclaredSpecs } from '../../handlers/spiffeid/registrar-declared.js';
import { withCreated } from '../../handlers/spiffeid/with-created.js';
import { spiffeIdKey, type SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import { planSpiffeIdEntries } from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { generator } from '../../test/fixtures/crd-clusters.js';
import { crdTestConfig } from '../../test/fixtures/spiffeid.js';
import { createCrdPlanCache, type CrdPlanCache } from './crd-plan-cache.js';

const cfg = crdTestConfig;
const checked = checkCrdTemplates({ ...cfg, dnsNameTemplates: ['{{.Pod.Name}}'] });
if (!checked.ok) throw new Error(checked.error);
const templates = checked.templates;

type Plans = {
  declared: ReturnType<typeof declaredSpiffeIds>;
  dplan: ReturnType<typeof planDeclaredSpiffeIds>;
  effective: ReturnType<typeof withDeclaredSpecs>;
  plan: ReturnType<typeof planSpiffeIdEntries>;
};

/** One pass's four plans; `cache` undefined: every per-object fact derived afresh. */
function plans(view: ClusterView, existing: readonly SpiffeId[], created: readonly SpiffeId[], entries: readonly Entry[], now: string, cache?: CrdPlanCache): Plans {
  if (!cache) {
    const declared = declaredSpiffeIds(view, cfg, templates);
    const dplan = planDeclaredSpiffeIds(declared.declared, existing, declared.liveOwnerUids);
    const effective = withDeclaredSpecs(withCreated(existing, created), declared.declared);
    const plan = planSpiffeIdEntries(effective.spiffeIds, entries, cfg, now, effective.registrarDeclared);
    return { declared, dplan, effective, plan };
  }
  const declared = declaredSpiffeIds(view, cfg, templates, cache.controllers);
  const dplan = planDeclaredSpiffeIds(declared.declared, existing, declared.liveOwnerUids, cache.declared);
  const effective = withDeclaredSpecs(withCreated(existing, created, cache.key), declared.declared, cache.registrarDeclared);
  const plan = planSpiffeIdEntries(effective.spiffeIds, entries, cfg, now, effective.registrarDeclared, cache.spiffeIds);
  return { declared, dplan, effective, plan };
}

function assertSamePlans(got: Plans, want: Plans, where: string): void {
  assert.deepStrictEqual(got.declared, want.declared, `${where}: declared`);
  assert.deepStrictEqual(got.dplan, want.dplan, `${where}: declared plan`);
  assert.deepStrictEqual(got.effective.spiffeIds, want.effective.spiffeIds, `${where}: effective SpiffeIDs`);
  assert.deepStrictEqual([...got.effective.registrarDeclared], [...want.effective.registrarDeclared], `${where}: registrar-declared`);
  assert.deepStrictEqual(got.plan, want.plan, `${where}: entry plan`);
  // Map equality ignores order; the order of the owners is part of the plan too.
  assert.deepStrictEqual([...got.plan.entryOwners], [...want.plan.entryOwners], `${where}: entry owners' order`);
}

type Reach = Record<'busy' | 'statuses' | 'masked' | 'conflicts' | 'migrated' | 'released' | 'orphans' | 'takeOvers' | 'serviceNames', number>;

/** Runs `passes` passes over one generated cluster; returns how many plans wrote something (the test's reach). */
function evolve(seed: number, passes: number, cache: CrdPlanCache): Reach {
  const g = generator(seed);
  const reach: Reach = { busy: 0, statuses: 0, masked: 0, conflicts: 0, migrated: 0, released: 0, orphans: 0, takeOvers: 0, serviceNames: 0 };
  for (let i = 0; i < 12; i++) g.mutations[0]?.();
  for (let pass = 0; pass < passes; pass++) {
    const changes = g.chance(0.2) ? 0 : 1 + Math.floor(g.rnd() * 4);
    for (let c = 0; c < changes; c++) g.mutations[Math.floor(g.rnd() * g.mutations.length)]?.();
    const now = g.time(10 + pass);
    const w = g.world;
    const view: ClusterView = { nodes: [...w.nodes.values()], pods: [...w.pods.values()], endpointSlices: [...w.slices.values()] };
    const existing = [...w.spiffeIds.values()];
    const entries = [...w.entries.values()];
    // Step 2 also plans what step 1 just created (withCreated); the same objects on both sides.
    const first = declaredSpiffeIds(view, cfg, templates);
    const created = planDeclaredSpiffeIds(first.declared, existing, first.liveOwnerUids)
      .create.filter(() => g.chance(0.5))
      .map((d) => g.made(d, now));
    // Made in an earlier pass: some the informer shows by now (its copy wins), some without a UID (ignored).
    for (const s of existing) {
      if (g.chance(0.05)) created.push({ ...s, metadata: { ...s.metadata, uid: g.chance(0.8) ? `${s.metadata.uid}-mine` : '' } });
    }
    const want = plans(view, existing, created, entries, now);
    const got = plans(view, existing, created, entries, now, cache);
    assertSamePlans(got, want, `seed ${seed}, pass ${pass}`);
    // The planner's contract allows any set of registrar-declared names: the same objects planned as
    // the registrar's and as a user's get each their own validation.
    const mixed = new Set(existing.filter(() => g.chance(0.4)).map(spiffeIdKey));
    assert.deepStrictEqual(
      planSpiffeIdEntries(existing, entries, cfg, now, mixed, cache.spiffeIds),
      planSpiffeIdEntries(existing, entries, cfg, now, mixed),
      `seed ${seed}, pass ${pass}: entry plan with other registrar-declared names`,
    );
    const p = want.plan;
    if (p.createEntries.length + p.updateEntries.length + p.migrations.length + p.deleteEntries.length > 0) reach.busy++;
    reach.statuses += p.statuses.length;
    reach.masked += p.problems.filter((x) => x.reason === 'DuplicateEntry').length;
    reach.conflicts += p.problems.filter((x) => x.reason === 'EntryConflict').length;
    reach.migrated += p.migrations.length;
    reach.released += p.releaseFinalizer.filter((r) => r.afterDeleting.length > 0).length;
    reach.orphans += p.deleteEntries.filter((id) => !p.entryOwners.has(id)).length;
    reach.takeOvers += want.dplan.takeOver.length;
    reach.serviceNames += want.declared.declared.filter((d) => (d.spec.dnsNames ?? []).some((n) => n.endsWith('.svc'))).length;
    g.apply(want, now);
  }
  return reach;
}

test('the cached plans equal the uncached ones over generated clusters evolving for many passes', () => {
  const total: Reach = { busy: 0, statuses: 0, masked: 0, conflicts: 0, migrated: 0, released: 0, orphans: 0, takeOvers: 0, serviceNames: 0 };
  for (let seed = 1; seed <= 40; seed++) {
    const r = evolve(seed, 60, createCrdPlanCache(cfg, templates));
    for (const k of Object.keys(total) as (keyof Reach)[]) total[k] += r[k];
  }
  // The generator reached what the cache must not get wrong (else this test proves little).
  for (const [k, n] of Object.entries(total)) assert.ok(n >= 10, `${k}: only ${n} over all passes`);
});

test('one cache shared by several clusters plans each as if alone (keys are objects, not names)', () => {
  const cache = createCrdPlanCache(cfg, templates);
  for (let seed = 101; seed <= 106; seed++) evolve(seed, 40, cache);
});

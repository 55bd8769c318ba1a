// The oracle of sliced crd passes (crd-slice.ts): over generated clusters evolving for many passes (the
// same generator as the plan memo's test, with masking, name clashes, foreign and legacy entries, dying
// SpiffeIDs, EndpointSlices), the index is fed the informers' changes (plus duplicated events), and each
// pass's plans are computed twice: by the planners on the whole cluster, and by the same planners on the
// closed slice. The slice's plans must equal the whole cluster's restricted to the slice, and every object
// an event named must be in the slice (its writes are all made by the sliced pass). SPIRE's entries also
// change behind the registrar's back: the closure reads them as they are held, so equality still holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declaredSpiffeIds, type ClusterView } from '../../handlers/crd-pod/declared-spiffeids.js';
import { entryKey } from '../../handlers/entries/entry-key.js';
import type { Entry } from '../../handlers/entries/entry.js';
import type { DeclaredSpiffeId } from '../../handlers/spiffeid/declared-spiffeid.js';
import { declaredKey, planDeclaredSpiffeIds } from '../../handlers/spiffeid/plan-declared.js';
import { withDeclaredSpecs } from '../../handlers/spiffeid/registrar-declared.js';
import { withCreated } from '../../handlers/spiffeid/with-created.js';
import { spiffeIdKey, type SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import { planSpiffeIdEntries, type SpiffeIdRef } from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { generator, type World } from '../../test/fixtures/crd-clusters.js';
import { crdTestConfig } from '../../test/fixtures/spiffeid.js';
import { createCrdPlanCache, type CrdPlanCache } from './crd-plan-cache.js';
import { CrdSliceIndex, type CrdResource, type CrdSlice, type EntryLookup } from './crd-slice.js';

const cfg = crdTestConfig;
// One cluster in five with add_svc_dns_name off.
const checked = checkCrdTemplates({ ...cfg, dnsNameTemplates: ['{{.Pod.Name}}'] });
if (!checked.ok) throw new Error(checked.error);
const templates = checked.templates;

type PassPlans = {
  declared: ReturnType<typeof declaredSpiffeIds>;
  dplan: ReturnType<typeof planDeclaredSpiffeIds>;
  effective: ReturnType<typeof withDeclaredSpecs>;
  plan: ReturnType<typeof planSpiffeIdEntries>;
};

/**
 * A pass's plans as crd-pass.ts makes them: step 1 sees the SpiffeIDs created earlier and not shown yet
 * (`unseen`), step 2 also those step 1 creates (`made`, one object per declaration and pass).
 */
function passPlans(
  c: typeof cfg,
  view: ClusterView,
  spiffeIds: readonly SpiffeId[],
  unseen: readonly SpiffeId[],
  entries: readonly Entry[],
  now: string,
  made: (name: string) => SpiffeId | undefined,
  cache: CrdPlanCache,
  index?: CrdSliceIndex,
): PassPlans {
  const existing = withCreated(spiffeIds, unseen, cache.key);
  // A sliced pass takes the service DNS names the index keeps (crd-pass.ts).
  const declared = index ? declaredSpiffeIds(view, c, templates, cache.controllers, { svcNames: index.serviceNames }) : declaredSpiffeIds(view, c, templates, cache.controllers);
  const dplan = planDeclaredSpiffeIds(declared.declared, existing, declared.liveOwnerUids, cache.declared);
  const created = dplan.create.flatMap((d) => made(declaredKey(d)) ?? []);
  const effective = withDeclaredSpecs(withCreated(existing, created, cache.key), declared.declared, cache.registrarDeclared);
  const plan = planSpiffeIdEntries(effective.spiffeIds, entries, c, now, effective.registrarDeclared, cache.spiffeIds);
  return { declared, dplan, effective, plan };
}

const refKey = (r: SpiffeIdRef) => `${r.namespace}/${r.name}`;

/** The plans restricted to the slice, in a form where only what the planners order is ordered. */
function restricted(p: PassPlans, slice: CrdSlice, c: typeof cfg) {
  const n = slice.names;
  const entryIds = new Set(slice.entries.map((e) => e.id));
  const ownerUids = new Set([...slice.view.pods, ...slice.view.nodes].map((o) => o.metadata.uid));
  const byDeclared = <T extends { declared: DeclaredSpiffeId }>(xs: readonly T[]) => xs.filter((x) => n.has(declaredKey(x.declared)));
  const invalidName = (b: { kind: string; namespace: string; name: string }) => (b.kind === 'Pod' ? `${b.namespace}/${b.name}` : `${c.registrarNamespace}/${b.name}`);
  const plan = p.plan;
  return {
    declared: p.declared.declared.filter((d) => n.has(declaredKey(d))).map(declaredKey).sort(),
    live: [...p.declared.liveOwnerUids].filter((u) => ownerUids.has(u)).sort(),
    invalid: p.declared.invalid.filter((b) => n.has(invalidName(b))).map((b) => JSON.stringify(b)).sort(),
    dplan: {
      create: p.dplan.create.filter((d) => n.has(declaredKey(d))),
      update: byDeclared(p.dplan.update),
      delete: p.dplan.delete.filter((s) => n.has(spiffeIdKey(s))),
      blocked: byDeclared(p.dplan.blocked),
      takeOver: byDeclared(p.dplan.takeOver),
    },
    // In input order (the informer's): by name here.
    effective: p.effective.spiffeIds.filter((s) => n.has(spiffeIdKey(s))).sort((a, b) => (spiffeIdKey(a) < spiffeIdKey(b) ? -1 : 1)),
    registrarDeclared: [...p.effective.registrarDeclared].filter((k) => n.has(k)).sort(),
    plan: {
      addFinalizer: plan.addFinalizer.filter((r) => n.has(refKey(r))),
      deleteEntries: plan.deleteEntries.filter((id) => entryIds.has(id)).sort(),
      createEntries: plan.createEntries.filter((x) => n.has(refKey(x.owner))),
      updateEntries: plan.updateEntries.filter((e) => entryIds.has(e.id)),
      migrations: plan.migrations.filter((x) => n.has(refKey(x.owner))),
      statuses: plan.statuses.filter((x) => n.has(refKey(x.owner))),
      releaseFinalizer: plan.releaseFinalizer.filter((x) => n.has(refKey(x.owner))),
      problems: plan.problems.filter((x) => n.has(refKey(x.owner))),
      entryOwners: [...plan.entryOwners].filter(([id]) => entryIds.has(id)).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    },
  };
}

/** Field by field, so a failure names the part of the plan that differs. */
function assertSame(got: ReturnType<typeof restricted>, want: ReturnType<typeof restricted>, where: string): void {
  for (const k of Object.keys(want) as (keyof typeof want)[]) {
    if (k === 'dplan' || k === 'plan') {
      for (const [kk, vv] of Object.entries(want[k])) assert.deepStrictEqual((got[k] as Record<string, unknown>)[kk], vv, `${where}: ${k}.${kk}`);
    } else {
      if (k === 'effective') assert.deepStrictEqual(got[k].map((x) => `${spiffeIdKey(x)} ${x.metadata.uid}`), want[k].map((x) => `${spiffeIdKey(x)} ${x.metadata.uid}`), `${where}: ${k} names`);
      assert.deepStrictEqual(got[k], want[k], `${where}: ${k}`);
    }
  }
}

/** SPIRE's entries as CrdEntries answers the closure. */
function lookup(entries: ReadonlyMap<string, Entry>): EntryLookup {
  const byKey = new Map<string, string[]>();
  for (const e of entries.values()) {
    const k = entryKey(e);
    byKey.set(k, [...(byKey.get(k) ?? []), e.id]);
  }
  return { get: (id) => entries.get(id), idsUnderKey: (k) => byKey.get(k) ?? [] };
}

/** What changed between two copies of the world, as the informers' events would say (plus duplicates). */
function changes(before: World, after: World, duplicate: () => boolean): { resource: CrdResource; key: string; now: unknown }[] {
  const out: { resource: CrdResource; key: string; now: unknown }[] = [];
  const diff = (resource: CrdResource, a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>) => {
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      if (a.get(k) !== b.get(k) || (b.has(k) && duplicate())) out.push({ resource, key: k, now: b.get(k) });
    }
  };
  diff('nodes', before.nodes, after.nodes);
  diff('pods', before.pods, after.pods);
  diff('endpointslices', before.slices, after.slices);
  diff('spiffeids', before.spiffeIds, after.spiffeIds);
  return out;
}

const copy = (w: World): World => ({ nodes: new Map(w.nodes), pods: new Map(w.pods), slices: new Map(w.slices), spiffeIds: new Map(w.spiffeIds), entries: new Map(w.entries) });

type Reach = Record<'sliced' | 'full' | 'lost' | 'contained' | 'serviceNames' | 'slicedWrites' | 'masked' | 'conflicts' | 'migrated' | 'released' | 'orphans' | 'takeOvers' | 'blocked' | 'deletes', number>;

/** Runs `passes` passes over one generated cluster, slicing wherever the index allows; returns the reach. */
function evolve(seed: number, passes: number, c: typeof cfg): Reach {
  const g = generator(seed);
  const reach: Reach = { sliced: 0, full: 0, lost: 0, contained: 0, serviceNames: 0, slicedWrites: 0, masked: 0, conflicts: 0, migrated: 0, released: 0, orphans: 0, takeOvers: 0, blocked: 0, deletes: 0 };
  const cache = createCrdPlanCache(c, templates);
  const index = new CrdSliceIndex(c, cache);
  const mutations = g.mutations;
  for (let i = 0; i < 12; i++) g.mutations[0]?.();
  // SpiffeIDs created in an earlier pass that the informer does not show yet.
  let unseen = new Map<string, SpiffeId>();
  let full = true;
  // The objects before the events this pass's slice covers (the last pass's own writes and the changes since).
  let beforeEvents = copy(g.world);
  for (let pass = 0; pass < passes; pass++) {
    const before = copy(g.world);
    const n = g.chance(0.2) ? 0 : 1 + Math.floor(g.rnd() * 3);
    for (let i = 0; i < n; i++) mutations[Math.floor(g.rnd() * mutations.length)]?.();
    const w = g.world;
    let marked = changes(before, w, () => g.chance(0.05));
    // Now and then an event is lost: the index is wrong until the next full pass, whose sync must see it.
    let lost = false;
    if (marked.length > 0 && g.chance(0.05)) {
      marked = marked.slice(1);
      lost = true;
    }
    index.applyAll(marked);
    const now = g.time(10 + pass);
    const view: ClusterView = { nodes: [...w.nodes.values()], pods: [...w.pods.values()], endpointSlices: [...w.slices.values()] };
    const spiffeIds = [...w.spiffeIds.values()];
    const entries = [...w.entries.values()];
    const madeNow = new Map<string, SpiffeId | undefined>();
    const made = (name: string) => {
      if (!madeNow.has(name)) {
        const d = declaredSpiffeIds(view, c, templates).declared.find((x) => declaredKey(x) === name);
        madeNow.set(name, d && g.chance(0.6) ? g.made(d, now) : undefined);
      }
      return madeNow.get(name);
    };
    const want = passPlans(c, view, spiffeIds, [...unseen.values()], entries, now, made, createCrdPlanCache(c, templates));

    // The full pass's triggers: the first, one in six at random (a resync, a failure), else slice.
    const slice: CrdSlice | undefined = full || lost || g.chance(1 / 6) ? undefined : index.slice(lookup(w.entries), unseen, Number.POSITIVE_INFINITY);
    let sliced: PassPlans | undefined;
    if (slice) {
      reach.sliced++;
      // The events changed nothing outside the slice: there the whole cluster's plans are as they were
      // before them (SPIRE's entries as now; unless someone changed those behind the registrar's back).
      if ([...w.entries].every(([id, e]) => before.entries.get(id) === e) && before.entries.size === w.entries.size) {
        const then = beforeEvents;
        const thenView: ClusterView = { nodes: [...then.nodes.values()], pods: [...then.pods.values()], endpointSlices: [...then.slices.values()] };
        const none = () => undefined;
        const outside = (x: World): CrdSlice => ({
          view: {
            nodes: [...x.nodes.values()].filter((o) => !slice.names.has(`${c.registrarNamespace}/${o.metadata.name}`)),
            pods: [...x.pods.values()].filter((o) => !slice.names.has(`${o.metadata.namespace}/${o.metadata.name}`)),
            endpointSlices: [],
            spiffeIds: [],
          },
          entries: entries.filter((e) => !slice.entries.includes(e)),
          names: new Set([...x.spiffeIds.keys(), ...x.pods.keys(), ...[...x.nodes.keys()].map((k) => `${c.registrarNamespace}/${k}`)].filter((k) => !slice.names.has(k))),
          uids: new Set(),
        });
        const all = outside({ ...w, spiffeIds: new Map([...w.spiffeIds, ...then.spiffeIds]), pods: new Map([...w.pods, ...then.pods]), nodes: new Map([...w.nodes, ...then.nodes]) });
        const nowPlans = passPlans(c, view, spiffeIds, [...unseen.values()], entries, now, none, createCrdPlanCache(c, templates));
        const thenPlans = passPlans(c, thenView, [...then.spiffeIds.values()], [...unseen.values()], entries, now, none, createCrdPlanCache(c, templates));
        assertSame(restricted(nowPlans, all, c), restricted(thenPlans, all, c), `seed ${seed}, pass ${pass}: outside the slice`);
        reach.contained++;
      }
      for (const x of slice.view.spiffeIds) assert.equal(x, w.spiffeIds.get(spiffeIdKey(x)), `seed ${seed}, pass ${pass}: index holds ${spiffeIdKey(x)} as the informer does`);
      for (const ch of marked) {
        const name = ch.resource === 'nodes' ? `${c.registrarNamespace}/${ch.key}` : ch.key;
        if (ch.resource !== 'endpointslices') assert.ok(slice.names.has(name), `seed ${seed}, pass ${pass}: ${ch.resource} ${ch.key} changed but ${name} is not in the slice`);
      }
      const got = passPlans(c, slice.view, slice.view.spiffeIds, [...unseen.values()].filter((s) => slice.names.has(spiffeIdKey(s))), slice.entries, now, made, cache, index);
      sliced = got;
      assertSame(restricted(got, slice, c), restricted(want, slice, c), `seed ${seed}, pass ${pass}: sliced plans`);
      // Nothing in the sliced plans is outside the slice.
      const everything: CrdSlice = {
        view: { ...view, spiffeIds },
        entries,
        names: new Set([...w.spiffeIds.keys(), ...slice.names, ...[...w.nodes.keys()].map((k) => `${c.registrarNamespace}/${k}`), ...w.pods.keys()]),
        uids: new Set(),
      };
      assert.deepStrictEqual(restricted(got, everything, c), restricted(got, slice, c), `seed ${seed}, pass ${pass}: sliced plans stay in the slice`);
      const p = got.plan;
      if (p.createEntries.length + p.updateEntries.length + p.deleteEntries.length + p.migrations.length + got.dplan.create.length + got.dplan.delete.length > 0) reach.slicedWrites++;
      reach.masked += p.problems.filter((x) => x.reason === 'DuplicateEntry').length;
      reach.conflicts += p.problems.filter((x) => x.reason === 'EntryConflict').length;
      reach.migrated += p.migrations.length;
      reach.released += p.releaseFinalizer.filter((r) => r.afterDeleting.length > 0).length;
      reach.orphans += p.deleteEntries.filter((id) => !p.entryOwners.has(id)).length;
      reach.takeOvers += got.dplan.takeOver.length;
      reach.blocked += got.dplan.blocked.length;
      reach.deletes += got.dplan.delete.length;
      reach.serviceNames += got.dplan.update.filter(({ declared: d }) => (d.spec.dnsNames ?? []).some((x) => x.endsWith('.svc'))).length;
    } else {
      reach.full++;
      if (lost) reach.lost++;
      // As crd-pass.ts: indexed afresh only when the index does not hold exactly these objects (the first).
      index.sync({ ...view, spiffeIds });
      full = false;
    }
    // What the pass ran is applied, in part (as writes that partly fail), and what it created partly shows.
    const applied = sliced ?? want;
    const createdNow = applied.dplan.create.flatMap((d) => made(declaredKey(d)) ?? []);
    const before2 = copy(w);
    beforeEvents = before2;
    g.apply(applied, now);
    // The entries it wrote seed the next slice, with their keys before, as crd-pass.ts does.
    const p = applied.plan;
    const wrote = [...p.deleteEntries, ...p.createEntries.map((x) => x.entry.id), ...p.updateEntries.map((e) => e.id), ...p.migrations.flatMap((m) => [m.deleteLegacy, ...(m.create ? [m.create.id] : [])])];
    const keysBefore = wrote.flatMap((id) => {
      const e = before2.entries.get(id);
      return e ? [entryKey(e)] : [];
    });
    index.seedEntries(wrote, keysBefore);
    unseen = new Map();
    for (const s of createdNow) {
      const k = spiffeIdKey(s);
      if (!w.spiffeIds.has(k) && g.chance(0.5)) unseen.set(k, s);
    }
    // The plan's own writes come back as events before the next pass (applied to the index there).
    index.applyAll(changes(before2, w, () => false));
  }
  return reach;
}

test('a sliced pass plans for every object in its slice what the full pass plans, over generated clusters', () => {
  const total: Reach = { sliced: 0, full: 0, lost: 0, contained: 0, serviceNames: 0, slicedWrites: 0, masked: 0, conflicts: 0, migrated: 0, released: 0, orphans: 0, takeOvers: 0, blocked: 0, deletes: 0 };
  for (let seed = 1; seed <= 150; seed++) {
    const r = evolve(seed, 60, seed % 5 === 0 ? { ...cfg, addSvcDnsName: false } : cfg);
    for (const k of Object.keys(total) as (keyof Reach)[]) total[k] += r[k];
  }
  // The sliced passes reached what the closure must not get wrong (else this test proves little).
  for (const [k, n] of Object.entries(total)) assert.ok(n >= 10, `${k}: only ${n} over all passes`);
});

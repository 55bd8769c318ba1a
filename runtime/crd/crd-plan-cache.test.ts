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
import * as v from 'valibot';
import { declaredSpiffeIds, type ClusterView } from '../../handlers/crd-pod/declared-spiffeids.js';
import { newEntry, type Entry } from '../../handlers/entries/entry.js';
import type { EndpointSlice } from '../../handlers/k8s/endpoint-slice.js';
import type { Node } from '../../handlers/k8s/node.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import type { DeclaredSpiffeId } from '../../handlers/spiffeid/declared-spiffeid.js';
import { planDeclaredSpiffeIds } from '../../handlers/spiffeid/plan-declared.js';
import { withDeclaredSpecs } from '../../handlers/spiffeid/registrar-declared.js';
import { withCreated } from '../../handlers/spiffeid/with-created.js';
import { SPIFFEID_API_VERSION, SPIFFEID_FINALIZER, SPIFFEID_KIND, SpiffeIdSchema, spiffeIdKey, type SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import { spiffeIdEntry } from '../../handlers/spiffeid/spiffeid-entry.js';
import { planSpiffeIdEntries } from '../../handlers/spiffeid-reconcile/plan-spiffeid-entries.js';
import { checkCrdTemplates } from '../../handlers/templates/crd-templates.js';
import { anEndpointSlice } from '../../test/fixtures/endpoint-slices.js';
import { aNode, aPod } from '../../test/fixtures/k8s-objects.js';
import { seededRandom } from '../../test/fixtures/seeded-random.js';
import { aRawSpiffeId, crdTestConfig } from '../../test/fixtures/spiffeid.js';
import { createInterner } from '../kube/shared-values.js';
import { createCrdPlanCache, type CrdPlanCache } from './crd-plan-cache.js';
import { crdProjections } from './crd-projections.js';
import { declaredObject } from './spiffeid-writer.js';

const cfg = crdTestConfig;
const checked = checkCrdTemplates({ ...cfg, dnsNameTemplates: ['{{.Pod.Name}}'] });
if (!checked.ok) throw new Error(checked.error);
const templates = checked.templates;
const PREFIX = cfg.entryIdPrefix;

type World = {
  nodes: Map<string, Node>;
  pods: Map<string, Pod>;
  slices: Map<string, EndpointSlice>;
  spiffeIds: Map<string, SpiffeId>;
  entries: Map<string, Entry>;
};

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

/** A cluster that changes at random, every object replaced (never changed in place), as the informers do. */
function generator(seed: number) {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  let serial = 0;
  const uid = (what: string) => `${what}-${seed}-${++serial}`;
  const project = crdProjections(cfg, createInterner());
  const namespaces = ['default', 'team-a', 'spire', 'kube-system'];
  const podNames = Array.from({ length: 14 }, (_, i) => `w-${i}`);
  const nodeNames = ['n-0', 'n-1', 'n-2', 'w-3'];
  const world: World = { nodes: new Map(), pods: new Map(), slices: new Map(), spiffeIds: new Map(), entries: new Map() };
  const time = (s: number) => `2026-01-01T00:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}Z`;

  const spiffeIdOf = (raw: Record<string, unknown>) => project.spiffeId(v.parse(SpiffeIdSchema, raw));
  const replaceSpiffeId = (s: SpiffeId, change: (s: SpiffeId) => SpiffeId) => world.spiffeIds.set(spiffeIdKey(s), change(s));
  const withMeta = (s: SpiffeId, m: Partial<SpiffeId['metadata']>): SpiffeId => ({ ...s, metadata: { ...s.metadata, ...m } });
  const anyEntry = () => pick([...world.entries.values()]);
  const anySpiffeId = () => pick([...world.spiffeIds.values()]);
  const putEntry = (e: Entry) => world.entries.set(e.id, e);

  const addPod = () => {
    const namespace = pick(namespaces) as string;
    const name = pick(podNames) as string;
    const path = pick(['ns/app', `ns/${namespace}/sa/x`, 'dup/shared', '', 'bad path', 'spire/agent']) as string;
    const pod = aPod({
      name,
      namespace,
      uid: uid('pod'),
      nodeName: chance(0.9) ? (pick(nodeNames) as string) : '',
      annotations: path ? { 'spiffe.io/spiffe-id': path } : {},
    });
    world.pods.set(`${namespace}/${name}`, project.pod(pod));
  };
  const addSlice = () => {
    const namespace = pick(namespaces) as string;
    const service = pick(['web', 'api']) as string;
    const pods = [...world.pods.values()].filter((p) => p.metadata.namespace === namespace);
    const ref = () => {
      const p = pick(pods);
      if (!p) return { pod: 'gone', uid: 'gone-uid' };
      return chance(0.8) ? { pod: p.metadata.name, uid: p.metadata.uid } : { pod: p.metadata.name };
    };
    const slice = anEndpointSlice({
      service,
      namespace,
      name: `${service}-${pick(['a', 'b'])}`,
      addresses: Array.from({ length: Math.floor(rnd() * 3) }, ref),
      notReadyAddresses: chance(0.3) ? [ref()] : [],
    });
    world.slices.set(`${namespace}/${slice.metadata.name}`, project.slice(slice));
  };
  /** A SpiffeID someone wrote by hand: valid, invalid, against the policy, duplicating a pod's entry, on a pod's name. */
  const addUserSpiffeId = () => {
    const namespace = pick(namespaces) as string;
    const kind = pick(['own', 'dup', 'invalid', 'policy', 'psat', 'podName', 'legacy']) as string;
    const pod = pick([...world.pods.values()]);
    const entry = anyEntry();
    const name = kind === 'podName' && pod ? pod.metadata.name : `user-${Math.floor(rnd() * 6)}`;
    const ns = kind === 'podName' && pod ? pod.metadata.namespace : namespace;
    const base = { name, namespace: ns, uid: uid('sid'), creationTimestamp: time(Math.floor(rnd() * 5)) };
    const finalizers = chance(0.7) ? [SPIFFEID_FINALIZER] : [];
    let raw: Record<string, unknown>;
    if (kind === 'dup') {
      // The same entry key as another SpiffeID (masking), in that one's namespace.
      const other = anySpiffeId();
      raw = other
        ? aRawSpiffeId({ ...base, namespace: other.metadata.namespace, parentId: other.spec.parentId, spiffeId: other.spec.spiffeId, selector: { ...other.spec.selector }, finalizers })
        : aRawSpiffeId({ ...base, finalizers });
    } else if (kind === 'invalid') {
      raw = aRawSpiffeId({ ...base, spiffeId: 'spiffe://other.org/x', selector: { namespace: ns, podName: 'p' }, finalizers });
    } else if (kind === 'policy') {
      raw = aRawSpiffeId({ ...base, spiffeId: 'spiffe://example.org/ns/elsewhere/sa/x', selector: { namespace: ns, podName: 'p' }, finalizers });
    } else if (kind === 'psat') {
      raw = aRawSpiffeId({ ...base, namespace: 'spire', spiffeId: 'spiffe://example.org/agent-x', selector: { cluster: 'k8stest', agent_node_uid: 'node-uid-n-0' }, finalizers });
    } else if (kind === 'legacy' && entry) {
      // Names an entry it may or may not match exactly (adoption only on an exact match).
      const matching = chance(0.5);
      raw = aRawSpiffeId({
        ...base,
        namespace: 'spire',
        parentId: entry.parentId,
        spiffeId: matching ? entry.spiffeId : 'spiffe://example.org/elsewhere',
        selector: { namespace: 'spire', podName: 'x' },
        entryId: entry.id,
        finalizers,
      });
    } else {
      raw = aRawSpiffeId({ ...base, spiffeId: `spiffe://example.org/ns/${ns}/sa/own-${Math.floor(rnd() * 3)}`, selector: { namespace: ns, podName: name }, finalizers });
    }
    world.spiffeIds.set(`${ns}/${name}`, spiffeIdOf(raw));
  };

  const mutations: (() => void)[] = [
    addPod,
    addPod,
    () => {
      const p = pick([...world.pods.keys()]);
      if (p) world.pods.delete(p);
    },
    () => {
      // The same pod recreated: same name, new UID (a StatefulSet's pod).
      const p = pick([...world.pods.values()]);
      if (p) world.pods.set(`${p.metadata.namespace}/${p.metadata.name}`, { ...p, metadata: { ...p.metadata, uid: uid('pod') } });
    },
    () => {
      // The pod's identity annotation edited: same UID, so its SpiffeID (and entry) are updated in place.
      const p = [...world.pods.values()][Math.floor(rnd() * world.pods.size)];
      if (!p) return;
      const annotations = { 'spiffe.io/spiffe-id': pick(['ns/app', 'ns/app-v2', 'dup/shared', 'bad path']) as string };
      world.pods.set(`${p.metadata.namespace}/${p.metadata.name}`, { ...p, metadata: { ...p.metadata, annotations } });
    },
    () => {
      // An equal copy (a re-list that found a change elsewhere): a new object, the same content.
      const p = pick([...world.pods.values()]);
      if (p) world.pods.set(`${p.metadata.namespace}/${p.metadata.name}`, structuredClone(p));
    },
    () => {
      const name = pick(nodeNames) as string;
      if (chance(0.3)) world.nodes.delete(name);
      else world.nodes.set(name, project.node(aNode({ name, uid: chance(0.5) ? `node-uid-${name}` : uid('node') })));
    },
    addSlice,
    () => {
      const k = pick([...world.slices.keys()]);
      if (k) world.slices.delete(k);
    },
    addUserSpiffeId,
    () => {
      // A user edits a SpiffeID's spec (the registrar's own ones get their declared spec back).
      const s = anySpiffeId();
      if (s) replaceSpiffeId(s, (o) => ({ ...o, spec: { ...o.spec, dnsNames: chance(0.5) ? ['edited.example'] : [], downstream: chance(0.2) } }));
    },
    () => {
      // A status someone (or the registrar) wrote: an entry ID of any kind, conditions or none.
      const s = anySpiffeId();
      const e = anyEntry();
      if (!s) return;
      const entryId = pick([undefined, e?.id, `${PREFIX}${s.metadata.uid}`, 'legacy-x']);
      const conditions = chance(0.5) ? [{ type: 'Ready', status: pick(['True', 'False']) as string, reason: 'EntryReady', message: 'the SPIRE entry matches the spec', lastTransitionTime: time(1) }] : [];
      replaceSpiffeId(s, (o) => ({ ...o, status: { ...(entryId !== undefined ? { entryId } : {}), conditions } }));
    },
    () => {
      // Deleted: with our finalizer it stays, dying, until the registrar releases it.
      const s = anySpiffeId();
      if (s) replaceSpiffeId(s, (o) => withMeta(o, { deletionTimestamp: time(9), ...(chance(0.3) ? { finalizers: [] } : {}) }));
    },
    () => {
      const s = anySpiffeId();
      if (s) world.spiffeIds.delete(spiffeIdKey(s));
    },
    () => {
      // Replaced under the same name by an object with a new UID (deleted and made again between passes).
      const s = anySpiffeId();
      if (s) replaceSpiffeId(s, (o) => withMeta(o, { uid: uid('sid') }));
    },
    () => {
      const s = anySpiffeId();
      if (s) replaceSpiffeId(s, (o) => structuredClone(o));
    },
    () => {
      // SPIRE: an entry nobody here made, under the key some SpiffeID declares (foreign), or a legacy one.
      const s = anySpiffeId();
      if (s) putEntry({ ...spiffeIdEntry(s), id: chance(0.5) ? `legacy-${++serial}` : `foreign-${++serial}` });
    },
    () => {
      // A legacy entry (the original registrar's) that a SpiffeID's status names, exact or with other
      // fields set; the SpiffeID may still have the entry we made as well.
      const s = anySpiffeId();
      if (!s) return;
      const id = `legacy-${++serial}`;
      putEntry({ ...spiffeIdEntry(s), id, ...(chance(0.5) ? { x509SvidTtl: 600 } : {}) });
      if (chance(0.7)) world.entries.delete(`${PREFIX}${s.metadata.uid}`);
      replaceSpiffeId(s, (o) => ({ ...o, status: { ...o.status, entryId: id } }));
    },
    () => {
      // Our prefix, no SpiffeID (orphan); another cluster's prefix that begins with ours; a dotted one.
      putEntry(newEntry({ id: pick([`${PREFIX}${uid('gone')}`, `${PREFIX}eu.${uid('x')}`, `k8s-workload-registrar.other.${uid('x')}`]) as string, spiffeId: 'spiffe://example.org/x', parentId: 'spiffe://example.org/spire/server', selectors: [{ type: 'k8s', value: 'ns:default' }] }));
    },
    () => {
      // Someone changes an entry in SPIRE: fields the SpiffeID controls, or ones it does not.
      const e = anyEntry();
      if (!e) return;
      const r = rnd();
      if (r < 0.3) putEntry({ ...e, dnsNames: ['changed.example'] });
      else if (r < 0.6) putEntry({ ...e, x509SvidTtl: 60, admin: chance(0.5) });
      // Its key changes under the same ID.
      else putEntry({ ...e, spiffeId: `${e.spiffeId}-moved`, selectors: chance(0.5) ? [] : e.selectors });
    },
    () => {
      const e = anyEntry();
      if (e) world.entries.delete(e.id);
    },
    () => {
      const e = anyEntry();
      if (e) putEntry(structuredClone(e));
    },
  ];

  /** The SpiffeID the writer creates for `d`, as the API server stores it. */
  const made = (d: DeclaredSpiffeId, now: string) => {
    const raw = declaredObject(d, SPIFFEID_API_VERSION, SPIFFEID_KIND, [SPIFFEID_FINALIZER]);
    return spiffeIdOf({ ...raw, metadata: { ...(raw.metadata as object), uid: uid('sid'), creationTimestamp: now } });
  };

  /** Applies part of a pass's plans, as a pass whose writes partly fail would. */
  const apply = (p: Plans, now: string) => {
    const some = () => chance(0.75);
    for (const d of p.dplan.create) if (some()) world.spiffeIds.set(`${d.namespace}/${d.name}`, made(d, now));
    for (const { current, declared: d } of [...p.dplan.update, ...p.dplan.takeOver]) {
      if (some()) replaceSpiffeId(current, (o) => ({ ...o, metadata: { ...o.metadata, labels: { ...d.labels }, ownerReferences: [{ ...d.owner }] }, spec: d.spec }));
    }
    for (const s of p.dplan.delete) if (some()) replaceSpiffeId(s, (o) => withMeta(o, { deletionTimestamp: now }));
    for (const r of p.plan.addFinalizer) {
      const s = world.spiffeIds.get(`${r.namespace}/${r.name}`);
      if (s && some()) replaceSpiffeId(s, (o) => withMeta(o, { finalizers: [...(o.metadata.finalizers ?? []), SPIFFEID_FINALIZER] }));
    }
    const deleted = new Set<string>();
    for (const id of p.plan.deleteEntries) if (some() && world.entries.delete(id)) deleted.add(id);
    for (const c of p.plan.createEntries) if (some()) putEntry(c.entry);
    for (const e of p.plan.updateEntries) if (some()) putEntry(e);
    // A legacy entry's move, cut short at any step as a failed pass would.
    for (const m of p.plan.migrations) {
      if (!some()) continue;
      if (m.create) putEntry(m.create);
      if (!some()) continue;
      if (m.update) putEntry(m.update);
      if (!some()) continue;
      if (world.entries.delete(m.deleteLegacy)) deleted.add(m.deleteLegacy);
      const s = world.spiffeIds.get(`${m.owner.namespace}/${m.owner.name}`);
      if (s && some()) replaceSpiffeId(s, (o) => ({ ...o, status: { entryId: m.status.entryId, conditions: [...m.status.conditions] } }));
    }
    for (const st of [...p.plan.statuses, ...p.plan.createEntries]) {
      const s = world.spiffeIds.get(`${st.owner.namespace}/${st.owner.name}`);
      if (s && some()) replaceSpiffeId(s, (o) => ({ ...o, status: { entryId: st.status.entryId, conditions: [...st.status.conditions] } }));
    }
    for (const rel of p.plan.releaseFinalizer) {
      if (!rel.afterDeleting.every((id) => deleted.has(id)) || !some()) continue;
      world.spiffeIds.delete(`${rel.owner.namespace}/${rel.owner.name}`);
    }
  };

  return { world, rnd, chance, mutations, apply, time, made };
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

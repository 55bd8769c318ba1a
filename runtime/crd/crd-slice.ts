// Sliced crd passes: between full passes, a pass plans only the objects informer events marked dirty, closed
// over everything the planners compare across objects, so it costs what changed instead of ~10 hash tables
// over the whole cluster. The planners are not changed: they get the closed subsets, and so plan for each
// object in the slice exactly what they would plan on the whole cluster (runtime/crd/crd-slice.test.ts
// checks that over generated clusters). Writes the full plan would make for objects outside the slice wait
// for the next full pass: on start, every resync (a SPIRE listing taken over), after a failed pass or an
// invalidate(), and whenever the slice is not known exactly (crd-pass.ts decides).
//
// The closure, over five kinds of unit (each rule is what a planner reads of another object):
//   owner (pod or node)  -> the SpiffeID name it declares, that declaration's entry key, the SpiffeIDs its
//                           UID controls (a live owner that stops declaring one deletes them);
//   SpiffeID name        -> the SpiffeID, the pod and node that declare that name (take-over, blocked, the
//                           registrar's declared spec), its controller owner if live (by UID), its own entry
//                           ID and status entry ID, the key of the entry it wants (stored spec);
//   entry key            -> every SpiffeID that wants it (masking), by stored spec or by its owner's
//                           declaration, and every entry under it (foreign entries, conflicts);
//   entry ID             -> the entry and its key, the SpiffeID whose own entry ID it is (orphans), the
//                           SpiffeIDs whose status names it (legacy entries, held ones);
//   owner UID            -> the SpiffeIDs it controls.
// What an object held before an event (its old UID, entry key, status entry ID) is a seed as well. A changed
// EndpointSlice re-indexes the pods it names, before and after (their service DNS names), as changed pods. Which
// entry the registrar may change is still decided by the planners alone, from exact entry IDs and keys;
// the closure only chooses what they see, and an entry outside it is left alone in that pass.
// The whole-cluster lookups are kept here as objects change (the informers' events), from the per-object
// facts the plan memo already holds (crd-plan-cache.ts), and rebuilt from the snapshot of every full pass.
import { podServiceNames, serviceNamesOf, type ClusterView, type CrdControllersConfig } from '../../handlers/crd-pod/declared-spiffeids.js';
import { backendsOfSlices, type ServiceDnsNames } from '../../handlers/crd-endpoints/service-dns-names.js';
import type { Entry } from '../../handlers/entries/entry.js';
import type { EndpointSlice } from '../../handlers/k8s/endpoint-slice.js';
import type { Node } from '../../handlers/k8s/node.js';
import type { Pod } from '../../handlers/k8s/pod.js';
import { controllerOwner, type DeclaredSpiffeId } from '../../handlers/spiffeid/declared-spiffeid.js';
import type { SpiffeId } from '../../handlers/spiffeid/spiffeid.js';
import type { CrdPlanCache } from './crd-plan-cache.js';

export type CrdResource = 'nodes' | 'pods' | 'endpointslices' | 'spiffeids';

/** What the closure reads of SPIRE's entries (CrdEntries). */
export type EntryLookup = {
  get(id: string): Entry | undefined;
  idsUnderKey(key: string): readonly string[];
};

export type CrdObjects = ClusterView & { readonly spiffeIds: readonly SpiffeId[] };

export type CrdSlice = {
  /** The closed subsets, for the planners (the EndpointSlices are all of them, as of the last full pass). */
  readonly view: CrdObjects;
  readonly entries: readonly Entry[];
  /** namespace/name of every SpiffeID in the slice, existing or not. */
  readonly names: ReadonlySet<string>;
  /** UIDs of the pods, nodes and SpiffeIDs in the slice (whose reported problems this pass decides). */
  readonly uids: ReadonlySet<string>;
};

export type SliceConfig = CrdControllersConfig & { readonly registrarNamespace: string };

/** Seeds for the next closure: what changed objects name, now and before the change. */
type Seeds = {
  owners: Set<string>;
  names: Set<string>;
  keys: Set<string>;
  entryIds: Set<string>;
  ownerUids: Set<string>;
};

const newSeeds = (): Seeds => ({ owners: new Set(), names: new Set(), keys: new Set(), entryIds: new Set(), ownerUids: new Set() });

/** A multimap that holds one value as itself (nearly every key here has one). */
type Multi = Map<string, string | Set<string>>;
function add(m: Multi, k: string, v: string): void {
  const had = m.get(k);
  if (had === undefined) m.set(k, v);
  else if (typeof had === 'string') {
    if (had !== v) m.set(k, new Set([had, v]));
  } else had.add(v);
}
function del(m: Multi, k: string, v: string): void {
  const had = m.get(k);
  if (had === v) m.delete(k);
  else if (had instanceof Set) {
    had.delete(v);
    if (had.size === 1) m.set(k, had.values().next().value as string);
  }
}
function each(m: Multi, k: string, f: (v: string) => void): void {
  const had = m.get(k);
  if (had === undefined) return;
  if (typeof had === 'string') f(had);
  else had.forEach(f);
}

const podOwner = (key: string) => `p:${key}`;
const nodeOwner = (name: string) => `n:${name}`;

/**
 * The cluster as of the last full pass plus every change applied since, with the lookups the closure
 * needs. Objects are read only from here during a sliced pass (never from the informer directly), so the
 * slice is consistent with the lookups even while events keep arriving; those mark the next pass.
 */
export class CrdSliceIndex {
  readonly #cfg: SliceConfig;
  readonly #cache: CrdPlanCache;
  #ready = false;
  /** False once a change arrived that cannot be mapped (a controller naming a SpiffeID otherwise): full pass. */
  #exact = true;
  #seeds = newSeeds();
  #pods = new Map<string, Pod>();
  #nodes = new Map<string, Node>();
  #spiffeIds = new Map<string, SpiffeId>();
  #slices = new Map<string, EndpointSlice>();
  #sliceList: readonly EndpointSlice[] = [];
  #svcNames: ServiceDnsNames | undefined;
  /** Owner (pod, node) UID -> owner key. */
  #liveUid = new Map<string, string>();
  /** Controller owner UID -> SpiffeID names. */
  #byOwnerUid: Multi = new Map();
  /** Own entry ID -> SpiffeID names. */
  #byOwnId: Multi = new Map();
  /** status.entryId -> SpiffeID names. */
  #byStatusEntry: Multi = new Map();
  /** Wanted entry key (stored spec) -> SpiffeID names. */
  #byWantKey: Multi = new Map();
  /** Wanted entry key of an owner's declaration -> owner keys. */
  #declByWantKey: Multi = new Map();
  /** Exactly the objects held above (pods, nodes, SpiffeIDs, EndpointSlices), to check a snapshot against. */
  #held = new WeakSet<object>();

  constructor(cfg: SliceConfig, cache: CrdPlanCache) {
    this.#cfg = cfg;
    this.#cache = cache;
  }

  /** Whether a sliced pass may run: built by a full pass, and every change since mapped. */
  get ready(): boolean {
    return this.#ready && this.#exact;
  }

  /** serviceNamesOf every EndpointSlice held (what declaredSpiffeIds computes from a slice's view). */
  get serviceNames(): ServiceDnsNames | undefined {
    return this.#svcNames;
  }

  get size(): number {
    return this.#spiffeIds.size + this.#pods.size + this.#nodes.size;
  }

  /** Sliced passes stop until the next full pass indexes everything afresh (overflow, a change that cannot be mapped). */
  invalidate(): void {
    this.#exact = false;
  }

  /**
   * The cluster a full pass planned: the seeds are dropped (that pass covered them) and, unless the index
   * already holds exactly these objects (every change reached it), everything is indexed afresh.
   */
  sync(view: CrdObjects): void {
    this.#seeds = newSeeds();
    if (this.ready && this.#holdsExactly(view)) return;
    this.rebuild(view);
  }

  #holdsExactly(view: CrdObjects): boolean {
    const pods = this.#cfg.podController ? view.pods : [];
    const nodes = this.#cfg.podController ? view.nodes : [];
    if (pods.length !== this.#pods.size || nodes.length !== this.#nodes.size) return false;
    if (view.spiffeIds.length !== this.#spiffeIds.size || view.endpointSlices.length !== this.#slices.size) return false;
    const held = (x: object) => this.#held.has(x);
    return pods.every(held) && nodes.every(held) && view.spiffeIds.every(held) && view.endpointSlices.every(held);
  }

  /** The cluster a full pass planned, replacing everything held (and the seeds: that pass covered them). */
  rebuild(view: CrdObjects): void {
    this.#held = new WeakSet(view.endpointSlices);
    this.#pods = new Map();
    this.#nodes = new Map();
    this.#spiffeIds = new Map();
    this.#liveUid = new Map();
    this.#byOwnerUid = new Map();
    this.#byOwnId = new Map();
    this.#byStatusEntry = new Map();
    this.#byWantKey = new Map();
    this.#declByWantKey = new Map();
    this.#slices = new Map(view.endpointSlices.map((x) => [`${x.metadata.namespace}/${x.metadata.name}`, x]));
    this.#sliceList = view.endpointSlices;
    this.#svcNames = serviceNamesOf(view.endpointSlices, this.#cfg);
    this.#seeds = newSeeds();
    // Before the objects: indexing one may find the slice inexact (#declaration), which must stand.
    this.#exact = true;
    if (this.#cfg.podController) {
      for (const n of view.nodes) this.#addNode(n.metadata.name, n);
      for (const p of view.pods) this.#addPod(`${p.metadata.namespace}/${p.metadata.name}`, p);
    }
    for (const s of view.spiffeIds) this.#addSpiffeId(`${s.metadata.namespace}/${s.metadata.name}`, s);
    this.#ready = true;
  }

  /**
   * Changed informer objects (`now` undefined: deleted); their keys are seeds of the next slice. EndpointSlices
   * go last, together: the service DNS names are computed again once, and the pods the changed slices name
   * (before and after) are indexed again with their new names.
   */
  applyAll(changes: readonly CrdChange[]): void {
    const slices = changes.filter((c) => c.resource === 'endpointslices');
    for (const c of changes) if (c.resource !== 'endpointslices') this.apply(c.resource, c.key, c.now);
    if (slices.length === 0 || !this.#ready) return;
    const pods = new Set<string>();
    const named = (x: EndpointSlice | undefined) => {
      for (const b of x ? backendsOfSlices([x]) : []) {
        const byUid = b.podUid ? this.#liveUid.get(b.podUid) : undefined;
        if (byUid?.startsWith('p:')) pods.add(byUid.slice(2));
        if (!b.podUid) pods.add(`${b.podNamespace}/${b.podName}`);
      }
    };
    for (const c of slices) {
      named(this.#slices.get(c.key));
      named(c.now as EndpointSlice | undefined);
    }
    const held = [...pods].flatMap((k) => {
      const p = this.#pods.get(k);
      return p ? [[k, p] as const] : [];
    });
    for (const [k, p] of held) {
      this.#seedOwnerFacts(podOwner(k), p);
      this.#removePod(k, p);
    }
    for (const c of slices) {
      const was = this.#slices.get(c.key);
      if (was) this.#held.delete(was);
      if (c.now) {
        this.#slices.set(c.key, c.now as EndpointSlice);
        this.#held.add(c.now as EndpointSlice);
      } else this.#slices.delete(c.key);
    }
    this.#sliceList = [...this.#slices.values()];
    this.#svcNames = serviceNamesOf(this.#sliceList, this.#cfg);
    for (const [k, p] of held) {
      this.#addPod(k, p);
      this.#seeds.owners.add(podOwner(k));
    }
  }

  /** One changed informer object (`now` undefined: deleted); its key is a seed of the next slice. */
  apply(resource: CrdResource, key: string, now: unknown): void {
    if (!this.#ready) return;
    const seeds = this.#seeds;
    switch (resource) {
      case 'endpointslices':
        this.applyAll([{ resource, key, now }]);
        return;
      case 'pods': {
        const old = this.#pods.get(key);
        if (old) {
          this.#seedOwnerFacts(podOwner(key), old);
          this.#removePod(key, old);
        }
        if (now) this.#addPod(key, now as Pod);
        seeds.owners.add(podOwner(key));
        return;
      }
      case 'nodes': {
        const old = this.#nodes.get(key);
        if (old) {
          this.#seedOwnerFacts(nodeOwner(key), old);
          this.#removeNode(key, old);
        }
        if (now) this.#addNode(key, now as Node);
        seeds.owners.add(nodeOwner(key));
        return;
      }
      case 'spiffeids': {
        const old = this.#spiffeIds.get(key);
        if (old) {
          this.#seedSpiffeIdFacts(old);
          this.#removeSpiffeId(key, old);
        }
        if (now) this.#addSpiffeId(key, now as SpiffeId);
        seeds.names.add(key);
        return;
      }
    }
  }

  /**
   * Entries a pass wrote (their IDs, and the keys they had before): other SpiffeIDs wanting those keys may
   * plan differently now (a key left free, an entry now in the way), so they are seeds of the next slice.
   */
  seedEntries(ids: Iterable<string>, keysBefore: Iterable<string>): void {
    if (!this.#ready) return;
    for (const id of ids) this.#seeds.entryIds.add(id);
    for (const k of keysBefore) this.#seeds.keys.add(k);
  }

  /**
   * The closed slice of the changes applied since the last call (which it consumes), plus `extra` names
   * (SpiffeIDs this registrar created that the informer does not show yet, `unseen`); undefined when no
   * exact slice is known or it would reach more than `limit` units: the caller runs a full pass.
   */
  slice(entries: EntryLookup, unseen: ReadonlyMap<string, SpiffeId>, limit: number): CrdSlice | undefined {
    const seeds = this.#seeds;
    this.#seeds = newSeeds();
    if (!this.ready) return undefined;
    for (const k of unseen.keys()) seeds.names.add(k);

    const owners = new Set<string>();
    const names = new Set<string>();
    const keys = new Set<string>();
    const entryIds = new Set<string>();
    const ownerUids = new Set<string>();
    const todo: Array<() => void> = [];
    let visited = 0;
    const reach = (set: Set<string>, v: string, expand: (v: string) => void) => {
      if (set.has(v)) return;
      set.add(v);
      visited++;
      todo.push(() => expand(v));
    };
    const owner = (o: string): void => reach(owners, o, expandOwner);
    const name = (n: string): void => reach(names, n, expandName);
    const key = (k: string): void => reach(keys, k, expandKey);
    const entry = (id: string): void => reach(entryIds, id, expandEntry);
    const ownerUid = (u: string): void => reach(ownerUids, u, expandOwnerUid);

    const expandOwner = (o: string) => {
      const obj = this.#owner(o);
      name(this.#staticName(o));
      if (!obj) return;
      ownerUid(obj.metadata.uid);
      const d = this.#declaration(o, obj);
      if (d) {
        name(`${d.namespace}/${d.name}`);
        key(this.#declKey(d));
      }
    };
    const spiffeIdFacts = (s: SpiffeId) => {
      const f = this.#cache.spiffeIds.facts(s);
      key(f.wantKey);
      entry(f.ownEntryId);
      if (s.status.entryId) entry(s.status.entryId);
      const o = controllerOwner(s);
      const live = o && this.#liveUid.get(o.uid);
      if (live) owner(live);
    };
    const expandName = (n: string) => {
      const s = this.#spiffeIds.get(n);
      if (s) spiffeIdFacts(s);
      const mine = unseen.get(n);
      if (mine) spiffeIdFacts(mine);
      if (this.#pods.has(n)) owner(podOwner(n));
      const nodeNs = `${this.#cfg.registrarNamespace}/`;
      if (n.startsWith(nodeNs) && this.#nodes.has(n.slice(nodeNs.length))) owner(nodeOwner(n.slice(nodeNs.length)));
    };
    const expandKey = (k: string) => {
      each(this.#byWantKey, k, name);
      each(this.#declByWantKey, k, owner);
      for (const id of entries.idsUnderKey(k)) entry(id);
    };
    const expandEntry = (id: string) => {
      const e = entries.get(id);
      if (e) key(this.#cache.spiffeIds.entryKey(e));
      each(this.#byOwnId, id, name);
      each(this.#byStatusEntry, id, name);
    };
    const expandOwnerUid = (u: string) => each(this.#byOwnerUid, u, name);

    seeds.owners.forEach(owner);
    seeds.names.forEach(name);
    seeds.keys.forEach(key);
    seeds.entryIds.forEach(entry);
    seeds.ownerUids.forEach(ownerUid);
    for (let i = 0; i < todo.length; i++) {
      if (visited > limit) return undefined;
      (todo[i] as () => void)();
    }
    if (visited > limit) return undefined;

    const nodes: Node[] = [];
    const pods: Pod[] = [];
    const uids = new Set<string>();
    const declaredNames = new Set<string>();
    for (const o of owners) {
      const obj = this.#owner(o);
      if (!obj) continue;
      // Two owners declaring one name (a pod named like a node in the registrar's namespace): the plans
      // then depend on the informers' order, which a slice does not keep.
      const d = this.#declaration(o, obj);
      if (d) {
        const n = `${d.namespace}/${d.name}`;
        if (declaredNames.has(n)) return undefined;
        declaredNames.add(n);
      }
      uids.add(obj.metadata.uid);
      if (o.startsWith('p:')) pods.push(obj as Pod);
      else nodes.push(obj as Node);
    }
    const spiffeIds: SpiffeId[] = [];
    for (const n of names) {
      const s = this.#spiffeIds.get(n);
      if (s) {
        spiffeIds.push(s);
        uids.add(s.metadata.uid);
      }
      const mine = unseen.get(n);
      if (mine) uids.add(mine.metadata.uid);
    }
    const held: Entry[] = [];
    for (const id of entryIds) {
      const e = entries.get(id);
      if (e) held.push(e);
    }
    return { view: { nodes, pods, endpointSlices: this.#sliceList, spiffeIds }, entries: held, names, uids };
  }

  #owner(o: string): Pod | Node | undefined {
    return o.startsWith('p:') ? this.#pods.get(o.slice(2)) : this.#nodes.get(o.slice(2));
  }

  /** The SpiffeID name an owner declares (pod: its own namespace/name; node: the registrar's namespace). */
  #staticName(o: string): string {
    return o.startsWith('p:') ? o.slice(2) : `${this.#cfg.registrarNamespace}/${o.slice(2)}`;
  }

  /** What declaredSpiffeIds declares for this owner (the plan memo's outcome), if anything. */
  #declaration(o: string, obj: Pod | Node): DeclaredSpiffeId | undefined {
    if (!this.#cfg.podController) return undefined;
    let d: DeclaredSpiffeId | undefined;
    if (o.startsWith('p:')) {
      const p = obj as Pod;
      if (this.#cfg.disabledNamespaces.includes(p.metadata.namespace)) return undefined;
      const out = this.#cache.controllers.pod(p, podServiceNames(this.#svcNames, p));
      d = out.kind === 'declare' ? out.spiffeId : undefined;
    } else {
      const out = this.#cache.controllers.node(obj as Node);
      d = out.kind === 'declare' ? out.spiffeId : undefined;
    }
    // The name mapping above is what the closure assumes; a controller naming otherwise stops slicing.
    if (d && `${d.namespace}/${d.name}` !== this.#staticName(o)) this.#exact = false;
    return d;
  }

  /** The key of the entry a declaration wants (what the SpiffeID carrying its spec wants): the plan memo's. */
  #declKey(d: DeclaredSpiffeId): string {
    return this.#cache.wantKey(d.spec);
  }

  #seedOwnerFacts(o: string, obj: Pod | Node): void {
    this.#seeds.ownerUids.add(obj.metadata.uid);
    this.#seeds.names.add(this.#staticName(o));
    const d = this.#declaration(o, obj);
    if (d) this.#seeds.keys.add(this.#declKey(d));
  }

  #seedSpiffeIdFacts(s: SpiffeId): void {
    const f = this.#cache.spiffeIds.facts(s);
    this.#seeds.keys.add(f.wantKey);
    this.#seeds.entryIds.add(f.ownEntryId);
    if (s.status.entryId) this.#seeds.entryIds.add(s.status.entryId);
    const o = controllerOwner(s);
    if (o) this.#seeds.ownerUids.add(o.uid);
    const live = o && this.#liveUid.get(o.uid);
    if (live) this.#seeds.owners.add(live);
  }

  #addOwner(o: string, obj: Pod | Node): void {
    this.#liveUid.set(obj.metadata.uid, o);
    const d = this.#declaration(o, obj);
    if (d) add(this.#declByWantKey, this.#declKey(d), o);
  }

  #removeOwner(o: string, obj: Pod | Node): void {
    if (this.#liveUid.get(obj.metadata.uid) === o) this.#liveUid.delete(obj.metadata.uid);
    const d = this.#declaration(o, obj);
    if (d) del(this.#declByWantKey, this.#declKey(d), o);
  }

  #addPod(key: string, p: Pod): void {
    this.#pods.set(key, p);
    this.#held.add(p);
    this.#addOwner(podOwner(key), p);
  }

  #removePod(key: string, p: Pod): void {
    this.#pods.delete(key);
    this.#held.delete(p);
    this.#removeOwner(podOwner(key), p);
  }

  #addNode(name: string, n: Node): void {
    this.#nodes.set(name, n);
    this.#held.add(n);
    this.#addOwner(nodeOwner(name), n);
  }

  #removeNode(name: string, n: Node): void {
    this.#nodes.delete(name);
    this.#held.delete(n);
    this.#removeOwner(nodeOwner(name), n);
  }

  #addSpiffeId(key: string, s: SpiffeId): void {
    this.#spiffeIds.set(key, s);
    this.#held.add(s);
    const f = this.#cache.spiffeIds.facts(s);
    add(this.#byWantKey, f.wantKey, key);
    add(this.#byOwnId, f.ownEntryId, key);
    if (s.status.entryId) add(this.#byStatusEntry, s.status.entryId, key);
    const o = controllerOwner(s);
    if (o) add(this.#byOwnerUid, o.uid, key);
  }

  #removeSpiffeId(key: string, s: SpiffeId): void {
    this.#spiffeIds.delete(key);
    this.#held.delete(s);
    const f = this.#cache.spiffeIds.facts(s);
    del(this.#byWantKey, f.wantKey, key);
    del(this.#byOwnId, f.ownEntryId, key);
    if (s.status.entryId) del(this.#byStatusEntry, s.status.entryId, key);
    const o = controllerOwner(s);
    if (o) del(this.#byOwnerUid, o.uid, key);
  }
}

/** A change an informer reported, with the object as the informer holds it now (undefined: deleted). */
export type CrdChange = { readonly resource: CrdResource; readonly key: string; readonly now: unknown };

/** The objects informer events marked since the last pass. */
export type CrdChanges = {
  mark(resource: CrdResource, key: string): void;
  /** Every change marked since the last call, each object as held now; 'overflow' when more than the limit were. */
  take(): readonly CrdChange[] | 'overflow';
};

/**
 * Marks from informer events, read back with the informers' current objects at the start of a pass.
 * @param limit past this many marked objects only 'overflow' is kept (the pass is then full anyway)
 */
export function createCrdChanges(get: (resource: CrdResource, key: string) => unknown, limit: number): CrdChanges {
  let marked = new Map<string, { readonly resource: CrdResource; readonly key: string }>();
  let overflow = false;
  return {
    mark(resource, key) {
      if (overflow) return;
      marked.set(`${resource}\u0000${key}`, { resource, key });
      if (marked.size > limit) {
        overflow = true;
        marked = new Map();
      }
    },
    take() {
      const was = overflow;
      const all = Array.from(marked.values(), (m) => ({ ...m, now: get(m.resource, m.key) }));
      marked = new Map();
      overflow = false;
      return was ? 'overflow' : all;
    },
  };
}

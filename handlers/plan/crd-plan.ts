import * as v from 'valibot';
import type { Entry } from '../entries/entry.js';
import { declaredSpiffeIds, type ClusterView, type CrdControllersConfig } from '../crd-pod/declared-spiffeids.js';
import type { DeclaredSpiffeId } from '../spiffeid/declared-spiffeid.js';
import { planDeclaredSpiffeIds } from '../spiffeid/plan-declared.js';
import { SPIFFEID_API_VERSION, SPIFFEID_FINALIZER, SPIFFEID_KIND, SpiffeIdSchema, spiffeIdKey, type SpiffeId } from '../spiffeid/spiffeid.js';
import { spiffeIdEntry } from '../spiffeid/spiffeid-entry.js';
import { validateSpiffeId } from '../spiffeid/validate-spiffeid.js';
import { withDeclaredSpecs } from '../spiffeid/registrar-declared.js';
import { heldEntry, isOwnEntryId } from '../spiffeid-reconcile/entry-ownership.js';
import { planSpiffeIdEntries, type SpiffeIdPlanConfig, type SpiffeIdRef } from '../spiffeid-reconcile/plan-spiffeid-entries.js';
import type { CrdTemplates } from '../templates/crd-templates.js';
import { describeUpdate, NOT_OWNED, type Change, type ChangePlan } from './change-plan.js';

// Crd mode's pass (runtime/crd/crd-pass.ts) as a plan, both steps: the SpiffeIDs the node and pod
// controllers would create, update or delete, and then what the SpiffeID controller would do to SPIRE
// entries once those SpiffeIDs exist (created with the finalizer, so their entries follow at once). The
// result is where the next passes converge, which is what an operator swapping registrars wants to see.

export type CrdView = ClusterView & { readonly spiffeIds: readonly SpiffeId[] };

export function planCrd(view: CrdView, entries: readonly Entry[], cfg: CrdControllersConfig & SpiffeIdPlanConfig, templates: CrdTemplates, now: string): ChangePlan {
  const declared = declaredSpiffeIds(view, cfg, templates);
  const dplan = planDeclaredSpiffeIds(declared.declared, view.spiffeIds, declared.liveOwnerUids);

  // The SpiffeIDs as they would be after step 1.
  const after = new Map(view.spiffeIds.map((s) => [spiffeIdKey(s), s]));
  for (const d of dplan.create) after.set(`${d.namespace}/${d.name}`, asSpiffeId(d));
  for (const { current, declared: d } of dplan.update) after.set(spiffeIdKey(current), { ...current, spec: d.spec });
  for (const s of dplan.delete) after.set(spiffeIdKey(s), { ...s, metadata: { ...s.metadata, deletionTimestamp: now } });
  const effective = withDeclaredSpecs([...after.values()], declared.declared);
  const spiffeIds = effective.spiffeIds;
  const plan = planSpiffeIdEntries(spiffeIds, entries, cfg, now, effective.registrarDeclared);
  const byId = new Map(entries.map((e) => [e.id, e]));
  const bySpiffeId = new Map(spiffeIds.map((s) => [spiffeIdKey(s), s]));
  const named = (r: SpiffeIdRef | undefined) => (r ? `SpiffeID ${r.namespace}/${r.name}` : 'a SpiffeID');

  const create: Change[] = plan.createEntries.map((c) => ({ entry: c.entry, reason: `${named(c.owner)} has no entry` }));
  const update: Change[] = plan.updateEntries.map((e) => {
    const current = byId.get(e.id);
    return { entry: e, reason: `${named(plan.entryOwners.get(e.id))}: ${current ? describeUpdate(current, e) : 'fields changed'}` };
  });
  // A legacy entry moving to our ID (legacy-migration.ts): our entry as it ends up, then the legacy delete.
  const moved = new Map<string, string>();
  for (const m of plan.migrations) {
    const ours = m.status.entryId ?? '';
    const current = byId.get(ours);
    // A move a pass cut short may finish after a spec edit: then ours ends up with the new identity.
    const same = (m.update ?? current)?.spiffeId === byId.get(m.deleteLegacy)?.spiffeId;
    moved.set(m.deleteLegacy, `${named(m.owner)}: moved to the registrar's own entry ${ours}${same ? ' (same identity)' : ', which now issues the edited identity'}`);
    if (!m.update) continue;
    if (!current) create.push({ entry: m.update, reason: `${named(m.owner)}: replaces legacy entry ${m.deleteLegacy} under the registrar's own ID` });
    else update.push({ entry: m.update, reason: `${named(m.owner)}: ${describeUpdate(current, m.update)} (replacing legacy entry ${m.deleteLegacy})` });
  }
  const del: Change[] = [...plan.deleteEntries, ...moved.keys()].flatMap((id) => {
    const e = byId.get(id);
    if (!e) return [];
    const owner = plan.entryOwners.get(id);
    const move = moved.get(id);
    if (move) return [{ entry: e, reason: move }];
    const s = owner ? bySpiffeId.get(`${owner.namespace}/${owner.name}`) : undefined;
    const why = s?.metadata.deletionTimestamp ? 'is being deleted' : 'no longer declares this entry';
    return [{ entry: e, reason: `${named(owner)} ${why}` }];
  });

  // What the pass may touch (entry-ownership.ts): entries with the registrar's own IDs, and legacy entries a
  // SpiffeID holds (its status names them and they match its valid spec exactly). A status alone, or an
  // entry that only has a declared key, proves nothing: such entries are left alone, as the pass leaves them.
  const ours = new Set(entries.filter((e) => isOwnEntryId(cfg.entryIdPrefix, e.id)).map((e) => e.id));
  for (const s of spiffeIds) {
    const origin = effective.registrarDeclared.has(spiffeIdKey(s)) ? 'registrar' : 'user';
    if (validateSpiffeId(s, cfg, origin)) continue;
    const held = heldEntry(s, spiffeIdEntry(s), byId, cfg.entryIdPrefix);
    if (held) ours.add(held.entry.id);
  }
  // Whatever the planner deletes or moves it has proved ours (a legacy entry being moved, or left beside
  // ours by a move cut short, even after a spec edit): never reported as left alone too.
  for (const id of [...moved.keys(), ...plan.deleteEntries]) ours.add(id);
  const leftAlone = entries.filter((e) => !ours.has(e.id)).map((e) => ({ entry: e, reason: NOT_OWNED }));

  const ref = (d: { namespace: string; name: string }, reason: string) => ({ namespace: d.namespace, name: d.name, reason });
  return {
    create,
    update,
    delete: del,
    leftAlone,
    spiffeIds: {
      create: dplan.create.map((d) => ref(d, `declared by ${d.owner.kind} ${d.owner.name}`)),
      update: dplan.update.map(({ declared: d }) => ref(d, `${d.owner.kind} ${d.owner.name} declares another spec`)),
      delete: dplan.delete.map((s) => ref(s.metadata, 'its owner no longer declares it')),
    },
    problems: [
      ...declared.invalid.map((i) => `${i.kind.toLowerCase()}/${i.namespace ? `${i.namespace}/` : ''}${i.name}: ${i.reason}`),
      ...plan.problems.map((p) => `spiffeid/${p.owner.namespace}/${p.owner.name}: ${p.reason}: ${p.message}`),
    ],
  };
}

/** A declared SpiffeID as the pass creates it: finalizer on, no status yet. */
function asSpiffeId(d: DeclaredSpiffeId): SpiffeId {
  return v.parse(SpiffeIdSchema, {
    apiVersion: SPIFFEID_API_VERSION,
    kind: SPIFFEID_KIND,
    metadata: { name: d.name, namespace: d.namespace, uid: '', labels: { ...d.labels }, ownerReferences: [{ ...d.owner }], finalizers: [SPIFFEID_FINALIZER] },
    spec: d.spec,
  });
}
